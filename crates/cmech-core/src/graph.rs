//! Graph structure of presentations: strongly connected components and recurrent classes.

/// Strongly connected components of a directed graph (Tarjan's algorithm, iterative so that deep
/// graphs cannot overflow the stack). Components come out in reverse topological order.
pub fn strongly_connected_components(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comps = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut k)) = call.last_mut() {
            if *k < adj[v].len() {
                let w = adj[v][*k];
                *k += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(u, _)) = call.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    loop {
                        let w = stack.pop().expect("tarjan stack");
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comp.sort_unstable();
                    comps.push(comp);
                }
            }
        }
    }
    comps
}

/// Components with no edge leaving them: the recurrent classes of a Markov chain.
pub fn closed_components(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let comps = strongly_connected_components(adj);
    let mut comp_of = vec![0; adj.len()];
    for (c, comp) in comps.iter().enumerate() {
        for &v in comp {
            comp_of[v] = c;
        }
    }
    let mut closed: Vec<Vec<usize>> = comps
        .iter()
        .enumerate()
        .filter(|(c, comp)| {
            comp.iter()
                .all(|&v| adj[v].iter().all(|&w| comp_of[w] == *c))
        })
        .map(|(_, comp)| comp.clone())
        .collect();
    closed.sort();
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_components_and_closed_classes() {
        // 0 -> 1 <-> 2, 3 -> 3
        let adj = vec![vec![1], vec![2], vec![1], vec![3]];
        let mut comps = strongly_connected_components(&adj);
        comps.sort();
        assert_eq!(comps, vec![vec![0], vec![1, 2], vec![3]]);
        assert_eq!(closed_components(&adj), vec![vec![1, 2], vec![3]]);
    }
}
