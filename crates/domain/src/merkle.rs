//! A Merkle tree over the ledger's entries, as Certificate Transparency
//! builds its logs (RFC 9162 §2.1): the leaves are the entries' hashes in
//! order, and a signed checkpoint carries the tree's root. Between two
//! checkpoints a *consistency proof* of O(log n) hashes shows that the later
//! tree extends the earlier one unchanged — checkable by the level above
//! with the two checkpoints and the proof alone, without the ledger.
//!
//! The tree is built in one pass keeping only the roots of its complete
//! subtrees (the *frontier*, at most 64 of them), so a checkpoint continues
//! from the previous one's frontier instead of reading the whole ledger.

use sha2::{Digest, Sha256};

/// A node's or leaf's hash.
pub type Hash = [u8; 32];

/// The hash of a leaf: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The roots of the complete subtrees of a tree being built, largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    /// (leaves below, root) of each complete subtree, sizes decreasing
    /// powers of two.
    subtrees: Vec<(u64, Hash)>,
}

impl Frontier {
    /// A frontier from its stored subtrees (see [`Frontier::subtrees`]);
    /// `None` unless the sizes are decreasing powers of two.
    pub fn from_subtrees(subtrees: Vec<(u64, Hash)>) -> Option<Frontier> {
        let ordered = subtrees.windows(2).all(|w| w[0].0 > w[1].0);
        let powers = subtrees.iter().all(|(n, _)| n.is_power_of_two());
        (ordered && powers).then_some(Frontier { subtrees })
    }

    /// The subtrees, to be stored.
    pub fn subtrees(&self) -> &[(u64, Hash)] {
        &self.subtrees
    }

    /// Leaves taken in.
    pub fn size(&self) -> u64 {
        self.subtrees.iter().map(|(n, _)| n).sum()
    }

    /// Takes in the next leaf (its data: an entry's hash).
    pub fn push(&mut self, data: &[u8]) {
        let mut node = (1u64, leaf_hash(data));
        while let Some(&(n, left)) = self.subtrees.last() {
            if n != node.0 {
                break;
            }
            self.subtrees.pop();
            node = (2 * n, node_hash(&left, &node.1));
        }
        self.subtrees.push(node);
    }

    /// The tree's root (RFC 9162's MTH); SHA-256 of nothing for no leaves.
    pub fn root(&self) -> Hash {
        let mut nodes = self.subtrees.iter().rev().map(|(_, h)| *h);
        match nodes.next() {
            None => Sha256::digest([]).into(),
            Some(last) => nodes.fold(last, |right, left| node_hash(&left, &right)),
        }
    }
}

/// The root of the tree over `leaves` (leaf hashes, as [`leaf_hash`] makes
/// them).
pub fn root_of_leaves(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root_of_leaves(&leaves[..k]), &root_of_leaves(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The consistency proof that the tree over the first `m` of `leaves`
/// (leaf hashes, as [`leaf_hash`] makes them) is a prefix of the tree over
/// all of them (RFC 9162 §2.1.4.1). Empty when `m` is 0 or all of them.
pub fn consistency_proof(leaves: &[Hash], m: usize) -> Vec<Hash> {
    if m == 0 || m >= leaves.len() {
        return Vec::new();
    }
    let mut proof = Vec::new();
    subproof(m, leaves, true, &mut proof);
    proof
}

fn subproof(m: usize, leaves: &[Hash], whole: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            proof.push(root_of_leaves(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], whole, proof);
        proof.push(root_of_leaves(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root_of_leaves(&leaves[..k]));
    }
}

/// Whether `proof` shows that the tree of `second_size` leaves with root
/// `second` extends the one of `first_size` leaves with root `first`
/// (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first_size: u64,
    second_size: u64,
    first: &Hash,
    second: &Hash,
    proof: &[Hash],
) -> bool {
    if first_size > second_size {
        return false;
    }
    if first_size == second_size {
        return proof.is_empty() && first == second;
    }
    if first_size == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first_size.is_power_of_two() {
        path.push(*first);
    }
    path.extend_from_slice(proof);
    let Some((&start, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (first_size - 1, second_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (start, start);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == *first && sr == *second && sn == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    fn frontier_of(n: usize) -> Frontier {
        let mut f = Frontier::default();
        for i in 0..n {
            f.push(&(i as u64).to_be_bytes());
        }
        f
    }

    #[test]
    fn the_frontier_gives_the_rfc_root_and_continues() {
        for n in 0..40 {
            let f = frontier_of(n);
            assert_eq!(f.size(), n as u64);
            assert_eq!(f.root(), root_of_leaves(&leaves(n)), "{n} leaves");
            assert!(f.subtrees().len() <= 6);
            // Stored and read back, it goes on as if never stopped.
            let mut again = Frontier::from_subtrees(f.subtrees().to_vec()).unwrap();
            again.push(&(n as u64).to_be_bytes());
            assert_eq!(again.root(), frontier_of(n + 1).root());
        }
        assert!(Frontier::from_subtrees(vec![(2, [0; 32]), (4, [0; 32])]).is_none());
        assert!(Frontier::from_subtrees(vec![(3, [0; 32])]).is_none());
    }

    #[test]
    fn the_empty_and_one_leaf_trees_are_as_rfc_9162_defines_them() {
        // MTH({}) = SHA-256(""), MTH({d}) = SHA-256(0x00 ‖ d).
        assert_eq!(
            hex::encode(Frontier::default().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut one = Frontier::default();
        one.push(b"");
        assert_eq!(
            hex::encode(one.root()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn every_prefix_is_proven_consistent_and_nothing_else_is() {
        for n in 1..34 {
            let all = leaves(n);
            let second = root_of_leaves(&all);
            for m in 1..=n {
                let first = root_of_leaves(&all[..m]);
                let proof = consistency_proof(&all, m);
                assert!(proof.len() <= 2 * 6, "{m}/{n}: {}", proof.len());
                assert!(
                    verify_consistency(m as u64, n as u64, &first, &second, &proof),
                    "{m} of {n}"
                );
                if m < n {
                    // A changed leaf, another second tree or a changed proof fails.
                    let mut forged = all.clone();
                    forged[m - 1] = leaf_hash(b"forged");
                    let forged_first = root_of_leaves(&forged[..m]);
                    assert!(!verify_consistency(
                        m as u64,
                        n as u64,
                        &forged_first,
                        &second,
                        &proof
                    ));
                    // (The sizes are signed with the roots; a proof is
                    // checked against the second tree's root.)
                    let longer = root_of_leaves(&leaves(n + 1));
                    assert!(!verify_consistency(
                        m as u64, n as u64, &first, &longer, &proof
                    ));
                    if let Some(p) = proof.first() {
                        let mut bad = proof.clone();
                        bad[0] = node_hash(p, p);
                        assert!(!verify_consistency(
                            m as u64, n as u64, &first, &second, &bad
                        ));
                    }
                }
            }
        }
    }
}
