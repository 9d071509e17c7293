//! Grids of symbols: a record of many variables over time (steps x variables, or the steps x
//! height x width field of a 2-D cellular automaton), and the initial cells of a cellular
//! automaton. Both are read as every other input is: one alphabet over the whole grid, the same
//! formats, messages and hints.

use crate::error::{hinted, input, Hint, Result};
use crate::npy::{self, Shapes};
use crate::{Format, Input, NoProgress, ReadOptions, Source};

/// Grids: steps x variables (2-D) or steps x height x width (3-D).
const GRIDS: Shapes = Shapes {
    max_dims: 3,
    give: "give steps x variables (2-D) or steps x height x width (3-D)",
};

/// A grid of symbols, each cell its index in `alphabet`, steps one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Time steps (rows of a 2-D array, lines of text).
    pub steps: usize,
    /// Rows of cells per step: 1 unless the grid is a 3-D array.
    pub height: usize,
    /// Cells per row.
    pub width: usize,
    /// `steps * height * width` symbol indices, C order.
    pub cells: Vec<u8>,
    /// The symbols, in index order.
    pub alphabet: Vec<String>,
}

/// Reads grid files, each a trial of the same variables: integer (or bool) `.npy` arrays of 2 or
/// 3 dimensions, or text with one step per line (one character per symbol, or tokens as `opts`
/// says; blank lines are skipped). One alphabet serves every file: given, or the symbols present
/// in any of them.
pub fn read_grids(sources: &[Source], opts: &ReadOptions) -> Result<Vec<Grid>> {
    let npy = match opts.format {
        Some(f) => f == Format::Npy,
        None => sources.iter().any(crate::input::looks_like_npy),
    };
    let opts = ReadOptions {
        format: opts.format.or(npy.then_some(Format::Npy)),
        // Each line of text is a step; the rows of an array already are.
        lines: !npy,
        ..opts.clone()
    };
    let opened = Input::open_in(sources, &opts, &NoProgress, false, None, GRIDS)?;
    // Text read one character per symbol whose lines hold spaces: the spaces would be variables
    // of their own between the real ones, a grid of twice the width. Said, not guessed.
    if opened.format == Format::Chars && opened.names.iter().any(|n| n == " " || n == "\t") {
        return Err(hinted(
            format!(
                "{}: spaces or tabs separate the symbols of each line; read as one character \
                 per symbol, they would be variables of the grid",
                opened.name
            ),
            Hint::Tokens,
        ));
    }
    let letters = opened.names.len();
    if letters > 256 {
        return Err(input(format!(
            "{} hold {letters} distinct symbols; a grid takes at most 256",
            opened.name
        )));
    }
    let mut grids = Vec::with_capacity(opened.files.len());
    let mut codes = Vec::new();
    for f in &opened.files {
        let name = &f.name;
        // Text: a step is a line, its variables the line's symbols.
        let (mut height, mut width) = (1, 0);
        if let Some(h) = f.npy.as_ref() {
            match h.shape[..] {
                [_, w] => width = w,
                [_, y, x] => (height, width) = (y, x),
                _ => {
                    return Err(input(format!(
                        "{name}: a .npy array of {} dimension; {}",
                        h.shape.len(),
                        GRIDS.give
                    )))
                }
            }
        }
        codes.clear();
        opened.file_codes(f, &mut codes)?;
        let mut cells = Vec::with_capacity(codes.len());
        let mut steps = 0;
        for (i, seq) in crate::sequences::split(&codes).enumerate() {
            if i == 0 && width == 0 {
                width = seq.len();
            }
            if seq.len() != height * width {
                return Err(input(format!(
                    "{name}: step {} has {} variables, the first has {}",
                    i + 1,
                    seq.len(),
                    height * width
                )));
            }
            cells.extend(seq.iter().map(|&c| c as u8));
            steps += 1;
        }
        if steps == 0 {
            return Err(input(format!("{name}: no steps")));
        }
        grids.push(Grid {
            steps,
            height,
            width,
            cells,
            alphabet: opened.names.clone(),
        });
    }
    Ok(grids)
}

/// The initial cells of a cellular automaton, dead (0) or alive (1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cells {
    /// Rows: 1 for an elementary CA, the height of a Life grid.
    pub height: usize,
    /// Cells per row.
    pub width: usize,
    /// `height * width` cells, 0 or 1, row after row.
    pub cells: Vec<u8>,
}

/// Reads initial cells from text, one row per line: `0` or `.` a dead cell, `1`, `O`, `o` or `*`
/// a live one (the plaintext pattern files of Life collections), spaces and tabs ignored, blank
/// lines skipped; every row as long as the first.
pub fn read_cells(source: &Source) -> Result<Cells> {
    let opts = ReadOptions {
        format: Some(Format::Chars),
        lines: true,
        ..ReadOptions::default()
    };
    let opened = Input::open_in(
        std::slice::from_ref(source),
        &opts,
        &NoProgress,
        false,
        None,
        npy::SEQUENCES,
    )?;
    let name = &opened.name;
    let state: Vec<Option<u8>> = opened
        .names
        .iter()
        .map(|n| match n.as_str() {
            "0" | "." => Ok(Some(0)),
            "1" | "O" | "o" | "*" => Ok(Some(1)),
            " " | "\t" => Ok(None),
            c => Err(input(format!(
                "{name}: '{c}' is not a cell (0 or . for dead, 1, O or * for alive)"
            ))),
        })
        .collect::<Result<_>>()?;
    let codes = opened.codes()?;
    let (mut cells, mut height, mut width) = (Vec::new(), 0, 0);
    for seq in crate::sequences::split(&codes) {
        let row: Vec<u8> = seq.iter().filter_map(|&c| state[c as usize]).collect();
        if row.is_empty() {
            continue;
        }
        if height == 0 {
            width = row.len();
        } else if row.len() != width {
            return Err(input(format!(
                "{name}: row {} has {} cells, the first has {width}",
                height + 1,
                row.len()
            )));
        }
        cells.extend(row);
        height += 1;
    }
    if height == 0 {
        return Err(input(format!("{name}: no cells")));
    }
    Ok(Cells {
        height,
        width,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::tests::npy_bytes;

    fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> Source {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        Source::Path(p)
    }

    fn grid(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> Result<Grid> {
        read_grids(&[file(dir, name, bytes)], &ReadOptions::default()).map(|mut g| g.remove(0))
    }

    #[test]
    fn grids_from_text_and_arrays_index_one_alphabet() {
        let d = tempfile::tempdir().unwrap();
        let text = grid(&d, "g.txt", b"0202\n\n2200\n").unwrap();
        assert_eq!((text.steps, text.height, text.width), (2, 1, 4));
        assert_eq!(text.cells, vec![0, 1, 0, 1, 1, 1, 0, 0]);
        assert_eq!(text.alphabet, vec!["0", "2"]);
        // The same grid as a 2-D array, and as a 3-D array of 2 x 2 steps.
        let values = [0, 2, 0, 2, 2, 2, 0, 0];
        let flat = grid(&d, "g.npy", &npy_bytes("<i8", &[2, 4], &values)).unwrap();
        assert_eq!(flat.cells, text.cells);
        let cube = grid(&d, "c.npy", &npy_bytes("|u1", &[2, 2, 2], &values)).unwrap();
        assert_eq!((cube.steps, cube.height, cube.width), (2, 2, 2));
        assert_eq!(cube.cells, text.cells);
        // Two files, one alphabet: the second's only symbol is the second of both.
        let both = read_grids(
            &[file(&d, "a.txt", b"00\n"), file(&d, "b.txt", b"22\n")],
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!((&both[0].cells, &both[1].cells), (&vec![0, 0], &vec![1, 1]));
    }

    #[test]
    fn ragged_and_empty_grids_are_refused_by_place() {
        let d = tempfile::tempdir().unwrap();
        let e = grid(&d, "r.txt", b"010\n01\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("step 2 has 2 variables, the first has 3"),
            "{e}"
        );
        let e = grid(&d, "e.txt", b"\n\n").unwrap_err();
        assert!(e.to_string().contains("no symbols"), "{e}");
        let e = grid(&d, "one.npy", &npy_bytes("<i8", &[3], &[0, 1, 0])).unwrap_err();
        assert!(e.to_string().contains("steps x variables"), "{e}");
        // Spaces between the cells are not cells: the error says to read tokens.
        let e = grid(&d, "spaced.txt", b"0 1 1\n1 0 1\n").unwrap_err();
        assert!(e.to_string().contains("spaces or tabs separate"), "{e}");
        assert_eq!(e.hint(), Some(Hint::Tokens));
        let tokens = ReadOptions {
            format: Some(Format::Tokens),
            ..ReadOptions::default()
        };
        let spaced = read_grids(&[file(&d, "spaced2.txt", b"0 1 1\n1 0 1\n")], &tokens).unwrap();
        assert_eq!((spaced[0].steps, spaced[0].width), (2, 3));
    }

    #[test]
    fn cells_read_plaintext_patterns() {
        let d = tempfile::tempdir().unwrap();
        let c = read_cells(&file(&d, "glider.cells", b".O.\n..O\nOOO\n")).unwrap();
        assert_eq!((c.height, c.width), (3, 3));
        assert_eq!(c.cells, vec![0, 1, 0, 0, 0, 1, 1, 1, 1]);
        // Only live cells: still alive, whatever the alphabet's order.
        assert_eq!(
            read_cells(&file(&d, "full", b"1 1 1\n")).unwrap().cells,
            vec![1, 1, 1]
        );
        let e = read_cells(&file(&d, "bad", b"01x\n")).unwrap_err();
        assert!(e.to_string().contains("'x' is not a cell"), "{e}");
    }
}
