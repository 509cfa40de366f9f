//! From the parsed graph to what Ansible computes after parsing: no cycles, every group
//! under `all`, hosts of no group in `ungrouped`, and each group's place in the order
//! in which group variables are applied.
//!
//! That order is Ansible's `sort_groups` (`inventory/helpers.py`): by depth (longest
//! path from `all`, so children come after their parents), then `ansible_group_priority`
//! (default 1, higher applied later, so it wins), then name. `all` has depth 0 and comes
//! first.

use super::parse::{ALL, Graph, UNGROUPED};
use crate::source::Diagnostic;

/// Ansible's default `ansible_group_priority`.
const DEFAULT_PRIORITY: i64 = 1;

/// Removes every `children:` edge that closes a cycle, reporting each where it was written.
pub(super) fn break_cycles(graph: &mut Graph, diagnostics: &mut Vec<Diagnostic>) {
    let mut state = vec![Visit::New; graph.groups.len()];
    let mut back_edges = Vec::new();
    for start in 0..graph.groups.len() {
        if state[start] == Visit::New {
            find_back_edges(graph, start, &mut state, &mut back_edges);
        }
    }
    for (path, parent, child) in back_edges {
        let edge = graph.groups[parent]
            .children
            .iter()
            .find(|e| e.child == child)
            .expect("back edge exists");
        let chain: Vec<&str> = path
            .iter()
            .chain(std::iter::once(&child))
            .map(|&g| graph.groups[g].name.as_str())
            .collect();
        diagnostics.push(Diagnostic::error(
            &edge.origin,
            edge.field.clone(),
            format!(
                "group `{}` is its own ancestor: {}",
                graph.groups[child].name,
                chain.join(" > ")
            ),
        ));
        graph.remove_edge(parent, child);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    New,
    OnPath,
    Done,
}

/// Depth-first search without recursion (nesting depth is the user's to choose).
/// A back edge is recorded with the path from its target down to its source.
fn find_back_edges(
    graph: &Graph,
    start: usize,
    state: &mut [Visit],
    back_edges: &mut Vec<(Vec<usize>, usize, usize)>,
) {
    let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
    state[start] = Visit::OnPath;
    while let Some(top) = stack.last_mut() {
        let group = top.0;
        let Some(edge) = graph.groups[group].children.get(top.1) else {
            state[group] = Visit::Done;
            stack.pop();
            continue;
        };
        top.1 += 1;
        match state[edge.child] {
            Visit::New => {
                state[edge.child] = Visit::OnPath;
                stack.push((edge.child, 0));
            }
            Visit::OnPath => {
                let from = stack
                    .iter()
                    .position(|&(g, _)| g == edge.child)
                    .expect("on path");
                let path = stack[from..].iter().map(|&(g, _)| g).collect();
                back_edges.push((path, group, edge.child));
            }
            Visit::Done => {}
        }
    }
}

/// Ansible's `reconcile_inventory`: groups without a parent go under `all`; a host in
/// no group but `all` goes to `ungrouped`, and leaves it when it is also in another.
pub(super) fn reconcile(graph: &mut Graph) {
    for group in 0..graph.groups.len() {
        if group != ALL && graph.groups[group].parents.is_empty() {
            graph.add_edge(
                ALL,
                group,
                graph.groups[group].origin.clone(),
                String::new(),
            );
        }
    }
    for host in 0..graph.hosts.len() {
        let groups = &graph.hosts[host].groups;
        let in_other = groups.iter().any(|&g| g != ALL && g != UNGROUPED);
        if !in_other {
            graph.add_member(UNGROUPED, host);
        } else if groups.contains(&UNGROUPED) {
            graph.remove_member(UNGROUPED, host);
        }
    }
}

/// Each group's depth, priority and rank in the order group variables are applied, and
/// its ancestors (itself included) in that order.
pub(super) struct Order {
    pub depth: Vec<usize>,
    pub priority: Vec<i64>,
    pub rank: Vec<usize>,
    pub ancestors: Vec<Vec<usize>>,
}

/// Needs an acyclic graph: run [`break_cycles`] and [`reconcile`] first.
pub(super) fn order(graph: &Graph, diagnostics: &mut Vec<Diagnostic>) -> Order {
    let count = graph.groups.len();
    let by_depth = topological(graph);
    let mut depth = vec![0usize; count];
    for &group in &by_depth {
        for edge in &graph.groups[group].children {
            depth[edge.child] = depth[edge.child].max(depth[group] + 1);
        }
    }
    if let Some(deep) = (0..count).find(|&g| depth[g] > MAX_GROUP_DEPTH) {
        diagnostics.push(too_deep(graph, deep, &depth));
        // Nothing is assembled from an inventory with errors: skip the per-group ancestor
        // lists, which a chain of n groups would make n² long.
        return Order {
            depth,
            priority: vec![DEFAULT_PRIORITY; count],
            rank: (0..count).collect(),
            ancestors: vec![Vec::new(); count],
        };
    }
    let priority: Vec<i64> = (0..count)
        .map(|g| priority(graph, g, diagnostics))
        .collect();
    let mut sorted: Vec<usize> = (0..count).collect();
    sorted.sort_by(|&a, &b| {
        (depth[a], priority[a], &graph.groups[a].name).cmp(&(
            depth[b],
            priority[b],
            &graph.groups[b].name,
        ))
    });
    let mut rank = vec![0usize; count];
    for (position, &group) in sorted.iter().enumerate() {
        rank[group] = position;
    }
    let ancestors = ancestors(graph, &by_depth, &rank);
    Order {
        depth,
        priority,
        rank,
        ancestors,
    }
}

/// How deep groups may nest under `all`. Real inventories nest a handful of levels; the
/// bound keeps every walk of the tree small.
pub const MAX_GROUP_DEPTH: usize = 100;

/// The error for `group`, nested deeper than [`MAX_GROUP_DEPTH`], at the `children:` entry
/// that put it there.
fn too_deep(graph: &Graph, group: usize, depth: &[usize]) -> Diagnostic {
    let edge = graph.groups[group]
        .parents
        .iter()
        .filter(|&&p| depth[p] + 1 == depth[group])
        .find_map(|&p| graph.groups[p].children.iter().find(|e| e.child == group))
        .expect("a group below `all` has a parent one level up");
    Diagnostic::error(
        &edge.origin,
        edge.field.clone(),
        format!(
            "group `{}` is nested more than {MAX_GROUP_DEPTH} levels deep: refused",
            graph.groups[group].name
        ),
    )
}

/// Groups with every parent before its children (Kahn's algorithm, from `all`).
fn topological(graph: &Graph) -> Vec<usize> {
    let mut waiting: Vec<usize> = graph.groups.iter().map(|g| g.parents.len()).collect();
    let mut ready: Vec<usize> = (0..graph.groups.len())
        .filter(|&g| waiting[g] == 0)
        .collect();
    let mut ordered = Vec::with_capacity(graph.groups.len());
    while let Some(group) = ready.pop() {
        ordered.push(group);
        for edge in &graph.groups[group].children {
            waiting[edge.child] -= 1;
            if waiting[edge.child] == 0 {
                ready.push(edge.child);
            }
        }
    }
    ordered
}

/// `ansible_group_priority` from the inventory file; Ansible ignores it in `group_vars/`
/// because those files are read after the order is settled.
fn priority(graph: &Graph, group: usize, diagnostics: &mut Vec<Diagnostic>) -> i64 {
    let Some(node) = graph.groups[group].vars.get("ansible_group_priority") else {
        return DEFAULT_PRIORITY;
    };
    match node.scalar().and_then(|text| text.trim().parse().ok()) {
        Some(priority) => priority,
        None => {
            let field = format!("{}.vars.ansible_group_priority", graph.groups[group].name);
            let message = format!(
                "`ansible_group_priority` must be a whole number, found {}",
                node.kind()
            );
            diagnostics.push(Diagnostic::error(&node.origin, field, message));
            DEFAULT_PRIORITY
        }
    }
}

/// For each group, itself and all its ancestors, sorted by rank.
fn ancestors(graph: &Graph, by_depth: &[usize], rank: &[usize]) -> Vec<Vec<usize>> {
    let count = graph.groups.len();
    let mut result: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut seen = vec![usize::MAX; count];
    for &group in by_depth {
        let mut list = vec![group];
        seen[group] = group;
        for &parent in &graph.groups[group].parents {
            for &ancestor in &result[parent] {
                if seen[ancestor] != group {
                    seen[ancestor] = group;
                    list.push(ancestor);
                }
            }
        }
        list.sort_by_key(|&g| rank[g]);
        result[group] = list;
    }
    result
}

/// A host's groups, from its direct groups up to `all`, sorted by rank.
pub(super) fn host_groups(
    direct: &[usize],
    order: &Order,
    seen: &mut [usize],
    host: usize,
) -> Vec<usize> {
    let mut list = Vec::new();
    for &group in direct {
        for &ancestor in &order.ancestors[group] {
            if seen[ancestor] != host {
                seen[ancestor] = host;
                list.push(ancestor);
            }
        }
    }
    list.sort_by_key(|&g| order.rank[g]);
    list
}
