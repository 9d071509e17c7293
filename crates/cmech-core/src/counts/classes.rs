//! Byte classification: what each item of the input is to the counter, and the 256-entry table
//! that says it for bytes. A table whose only symbols are two bytes is recognised here, so that
//! such input can be counted eight bytes at a time.

/// What an item of the input is to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A symbol, by its index in the alphabet.
    Symbol(u32),
    /// The end of a sequence: no window crosses it.
    Separator,
    /// Not part of the data (a line ending in a one-symbol-per-character file, say).
    Skip,
    /// Something that should not be there: counting stops with an error naming its position.
    Invalid,
}

/// A classifier of bytes by a 256-entry table, for files with one byte per symbol.
#[derive(Debug, Clone)]
pub struct ByteClasses([Item; 256]);

impl ByteClasses {
    /// Every byte invalid until told otherwise.
    pub fn new() -> ByteClasses {
        ByteClasses([Item::Invalid; 256])
    }
    /// Classifies `byte` as `item`.
    pub fn set(&mut self, byte: u8, item: Item) {
        self.0[byte as usize] = item;
    }
    /// What `byte` is to the counter.
    #[inline]
    pub fn get(&self, byte: u8) -> Item {
        self.0[byte as usize]
    }

    /// The two bytes of a two-symbol alphabet, when exactly one byte is each symbol and no other
    /// byte is a symbol: such input can be counted eight bytes at a time.
    pub(super) fn binary(&self) -> Option<BytePair> {
        let symbol = |x| {
            let mut bytes = (0..=255u8).filter(|&b| self.get(b) == Item::Symbol(x));
            match (bytes.next(), bytes.next()) {
                (Some(b), None) => Some(b),
                _ => None,
            }
        };
        let others = self
            .0
            .iter()
            .filter(|i| matches!(i, Item::Symbol(_)))
            .count();
        match (symbol(0), symbol(1)) {
            (Some(zero), Some(one)) if others == 2 => Some(BytePair {
                zero: u64::from_ne_bytes([zero; 8]),
                one: u64::from_ne_bytes([one; 8]),
            }),
            _ => None,
        }
    }
}

/// The bytes of symbols 0 and 1, each repeated in all eight bytes of a word.
#[derive(Debug, Clone, Copy)]
pub(super) struct BytePair {
    zero: u64,
    one: u64,
}

impl BytePair {
    /// For eight bytes read big-endian, all of them symbols, the symbols as the bits of a byte,
    /// the first byte's the most significant; `None` when any byte is not a symbol.
    #[inline(always)]
    pub(super) fn bits(self, word: u64) -> Option<u64> {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // 0x80 in each byte of `t` that is zero, exactly (no carry crosses a byte).
        let zero_bytes = |t: u64| !(((t & LOW7) + LOW7) | t | LOW7);
        let ones = zero_bytes(word ^ self.one);
        if (ones | zero_bytes(word ^ self.zero)) != HIGH {
            return None;
        }
        // Gathers bit 0 of byte i into bit i of the top byte; the terms never overlap.
        Some((ones >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56)
    }
}

impl Default for ByteClasses {
    fn default() -> Self {
        ByteClasses::new()
    }
}
