//! The lock-order graph, after Linux's lockdep: each time a thread waits for
//! a lock while it holds others, each held lock is ordered before the one it
//! waits for, both as lock objects and as classes (the place that made the
//! lock). A cycle means threads can each hold a lock the next one waits for:
//! a deadlock waiting for the right schedule, reported when the cycle
//! closes even if this run never deadlocked.

use std::collections::{HashMap, HashSet, VecDeque};

use super::clock::Tid;
use super::loc::Access;
use super::site::SiteId;

/// A lock as the graph knows it.
#[derive(Clone, Copy, Debug)]
pub struct LockRef {
    pub id: u32,
    pub class: SiteId,
    pub nth: u32,
}

/// One wait that ordered two locks: thread `tid` waited for `to` (at
/// `took`) while it held `from` (taken at `held`).
#[derive(Clone, Debug)]
pub struct Edge {
    pub tid: Tid,
    pub from: LockRef,
    pub held: Access,
    pub to: LockRef,
    pub took: Access,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    Lock(u32),
    Class(SiteId),
}

#[derive(Default)]
pub struct Graph {
    /// The first wait that made each edge.
    edges: HashMap<(Node, Node), Edge>,
    next: HashMap<Node, Vec<Node>>,
    /// Cycles reported, by their pairs of places.
    reported: HashSet<Vec<(SiteId, SiteId)>>,
}

impl Graph {
    /// Thread `tid` waits for `to` at `took` while holding `held`: the new
    /// cycles this closes, each once, each as its edges in order.
    pub fn wait(
        &mut self,
        tid: Tid,
        held: &[(LockRef, Access)],
        to: LockRef,
        took: Access,
    ) -> Vec<Vec<Edge>> {
        let mut cycles = Vec::new();
        for &(from, at) in held.iter().filter(|(h, _)| h.id != to.id) {
            let edge = Edge {
                tid,
                from,
                held: at,
                to,
                took,
            };
            let mut pairs = vec![(Node::Lock(from.id), Node::Lock(to.id))];
            if from.class != to.class {
                // Locks of one class taken in a fixed order among
                // themselves (by rank, say) are the object graph's to judge.
                pairs.push((Node::Class(from.class), Node::Class(to.class)));
            }
            for (a, b) in pairs {
                if let Some(cycle) = self.add(a, b, &edge) {
                    cycles.push(cycle);
                }
            }
        }
        cycles
    }

    /// Adds edge `a → b`; the cycle it closes, if it is new.
    fn add(&mut self, a: Node, b: Node, edge: &Edge) -> Option<Vec<Edge>> {
        if self.edges.contains_key(&(a, b)) {
            return None;
        }
        self.edges.insert((a, b), edge.clone());
        self.next.entry(a).or_default().push(b);
        let path = self.path(b, a)?;
        let mut cycle: Vec<Edge> = path
            .windows(2)
            .map(|w| self.edges[&(w[0], w[1])].clone())
            .collect();
        cycle.push(edge.clone());
        let mut key: Vec<(SiteId, SiteId)> =
            cycle.iter().map(|e| (e.held.site, e.took.site)).collect();
        key.sort_unstable();
        self.reported.insert(key).then(|| canonical(cycle))
    }

    /// The nodes of a shortest path from `from` to `to`.
    fn path(&self, from: Node, to: Node) -> Option<Vec<Node>> {
        let mut came_from: HashMap<Node, Node> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            if n == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = came_from[&at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            for &m in self.next.get(&n).into_iter().flatten() {
                if m != from && !came_from.contains_key(&m) {
                    came_from.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        None
    }
}

/// The cycle starting from its edge made by the earliest-made thread (then
/// lock), so that a report reads the same whichever wait closed the cycle.
fn canonical(mut cycle: Vec<Edge>) -> Vec<Edge> {
    let first = (0..cycle.len())
        .min_by_key(|&i| (cycle[i].tid, cycle[i].from.id))
        .unwrap_or(0);
    cycle.rotate_left(first);
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::race::clock::Epoch;
    use crate::race::loc::Kind;

    fn lock(id: u32, class: SiteId) -> LockRef {
        LockRef { id, class, nth: 1 }
    }

    fn at(site: SiteId) -> Access {
        Access::new(Epoch::new(1, 1), site, 0, Kind::Read)
    }

    #[test]
    fn opposite_orders_close_a_cycle_once() {
        let mut g = Graph::default();
        let (a, b) = (lock(1, 10), lock(2, 20));
        assert!(g.wait(1, &[(a, at(1))], b, at(2)).is_empty());
        let cycles = g.wait(2, &[(b, at(3))], a, at(4));
        // The object graph and the class graph find the same cycle: one report.
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 2);
        assert_eq!(cycles[0][0].tid, 1);
        assert!(g.wait(2, &[(b, at(3))], a, at(4)).is_empty());
    }

    #[test]
    fn a_ring_of_five_locks_of_one_class_is_a_cycle_of_objects() {
        let mut g = Graph::default();
        let forks: Vec<LockRef> = (0..5).map(|i| lock(i, 7)).collect();
        let mut cycles = Vec::new();
        for i in 0..5 {
            let (left, right) = (forks[i], forks[(i + 1) % 5]);
            cycles.extend(g.wait(i as Tid, &[(left, at(1))], right, at(2)));
        }
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 5);
    }

    #[test]
    fn one_order_for_every_thread_is_no_cycle() {
        let mut g = Graph::default();
        let (a, b, c) = (lock(1, 10), lock(2, 20), lock(3, 30));
        assert!(g.wait(1, &[(a, at(1))], b, at(2)).is_empty());
        assert!(g.wait(2, &[(a, at(1)), (b, at(2))], c, at(3)).is_empty());
        assert!(g.wait(3, &[(b, at(2))], c, at(3)).is_empty());
    }
}
