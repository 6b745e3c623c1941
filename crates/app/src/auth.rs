//! Who may do what, where: the one authorization table of gongkai.
//!
//! A [`Principal`] is a user with one [`Role`] and a scope: one node of the organ tree (or the
//! whole register, for the local operator of the command line). Every use case names the
//! [`Action`] it performs and the organ it touches; [`relation`] places that organ relative to
//! the principal's scope node, and [`allowed`] looks the triple up in [`POLICY`]. No other code
//! decides access: the use cases call [`crate::App::authorize`], which calls [`allowed`].
//!
//! Roles (issue 14; 条例第三十三条 for the extension):
//! * 管理员 manages organs and users in its own subtree and reads there; it does no casework.
//! * 经办人 registers applications, records events and keeps the catalogue, cases and counts of
//!   its own organ, and may see the personal data of its own organ's applicants (audited).
//! * 负责人 does what a 经办人 does and alone approves extensions and signs letters off.
//! * 监督人 reads every organ in its subtree and changes nothing; personal data stays masked.
//! * 本机操作员 (the CLI on the register's own machine) may do everything; the audit trail still
//!   names the operating user.

use gongkai_register::{Organ, OrganId};
use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员
    Admin,
    /// 经办人
    Clerk,
    /// 负责人
    Head,
    /// 监督人
    Supervisor,
    /// 本机操作员: the command line, run by whoever can open the register file or database.
    Operator,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Clerk, Role::Head, Role::Supervisor, Role::Operator];

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Clerk => "经办人",
            Role::Head => "负责人",
            Role::Supervisor => "监督人",
            Role::Operator => "本机操作员",
        }
    }
}

/// Where a principal may act: one node of the organ tree, or everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Organ(OrganId),
    Everywhere,
}

/// The acting user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's name as the audit trail records it.
    pub user: String,
    pub role: Role,
    pub scope: Scope,
    /// The account acting (none for the local operator).
    #[serde(default)]
    pub account: Option<gongkai_store::UserId>,
}

impl Principal {
    /// The command line's principal: the local operator, everywhere.
    pub fn local(user: impl Into<String>) -> Principal {
        Principal { user: user.into(), role: Role::Operator, scope: Scope::Everywhere, account: None }
    }
}

/// Where the organ a use case touches stands relative to the principal's scope node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The scope node itself.
    Own,
    /// Below it (a child, grandchild …).
    Descendant,
    /// Above it (a parent, grandparent …).
    Ancestor,
    /// Another child of one of its ancestors.
    Sibling,
    /// In another tree.
    Unrelated,
    /// Not about one organ (the national holiday calendar, the organ list).
    Global,
}

impl Relation {
    pub const ORGAN: [Relation; 5] =
        [Relation::Own, Relation::Descendant, Relation::Ancestor, Relation::Sibling, Relation::Unrelated];
}

/// What a use case does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read applications, due lists, the catalogue, cases, counts, history (masked).
    Read,
    /// See an applicant's personal data unmasked (audited).
    Unmask,
    /// Register an application or import a ledger.
    Register,
    /// Record an event other than an extension.
    RecordEvent,
    /// Approve an extension (第三十三条第二款: the head's consent).
    ApproveExtension,
    /// Sign a letter off.
    SignLetter,
    /// Keep the catalogue, the cases and the table-二 counts.
    Keep,
    /// Add or change organs (and, with the web, users).
    ManageOrgans,
    /// Import holiday notices into the register's calendar.
    ImportHolidays,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Read,
        Action::Unmask,
        Action::Register,
        Action::RecordEvent,
        Action::ApproveExtension,
        Action::SignLetter,
        Action::Keep,
        Action::ManageOrgans,
        Action::ImportHolidays,
    ];

    /// Chinese wording for refusals.
    pub fn label(self) -> &'static str {
        match self {
            Action::Read => "查看",
            Action::Unmask => "查看申请人个人信息",
            Action::Register => "登记申请",
            Action::RecordEvent => "记录办理事件",
            Action::ApproveExtension => "批准延期答复",
            Action::SignLetter => "签发文书",
            Action::Keep => "维护目录、案件和数量",
            Action::ManageOrgans => "管理机关和用户",
            Action::ImportHolidays => "导入放假安排",
        }
    }
}

/// Where each role may do each action. One row per (role, action): the relations allowed.
/// Anything not listed is denied. The operator is allowed everything (checked in [`allowed`]).
pub const POLICY: &[(Role, Action, &[Relation])] = {
    use Action::*;
    use Relation::*;
    use Role::*;
    const OWN: &[Relation] = &[Own];
    const SUBTREE: &[Relation] = &[Own, Descendant];
    // Reading also covers what belongs to no organ (the calendar's history).
    const READ_OWN: &[Relation] = &[Own, Global];
    const READ_SUBTREE: &[Relation] = &[Own, Descendant, Global];
    &[
        (Admin, Read, READ_SUBTREE),
        (Admin, ManageOrgans, SUBTREE),
        (Admin, ImportHolidays, &[Global]),
        (Clerk, Read, READ_OWN),
        (Clerk, Unmask, OWN),
        (Clerk, Register, OWN),
        (Clerk, RecordEvent, OWN),
        (Clerk, Keep, OWN),
        (Head, Read, READ_OWN),
        (Head, Unmask, OWN),
        (Head, Register, OWN),
        (Head, RecordEvent, OWN),
        (Head, ApproveExtension, OWN),
        (Head, SignLetter, OWN),
        (Head, Keep, OWN),
        (Supervisor, Read, READ_SUBTREE),
    ]
};

/// Whether `role` may do `action` on an organ in `relation` to its scope.
pub fn allowed(role: Role, action: Action, relation: Relation) -> bool {
    role == Role::Operator || POLICY.iter().any(|(r, a, rels)| *r == role && *a == action && rels.contains(&relation))
}

/// Where `target` stands relative to `scope` in the organ tree `organs` (a search of the
/// organs per step up; [`OrganTree::relation`] answers the same from an index).
pub fn relation(organs: &[Organ], scope: Scope, target: OrganId) -> Relation {
    relation_by(|id| organs.iter().find(|o| o.id == id).and_then(|o| o.parent), organs.len(), scope, target)
}

/// [`relation`] over a parent lookup; `n` organs bound the walk up.
fn relation_by(parent: impl Fn(OrganId) -> Option<OrganId>, n: usize, scope: Scope, target: OrganId) -> Relation {
    let Scope::Organ(me) = scope else { return Relation::Own };
    if me == target {
        return Relation::Own;
    }
    let ancestors = |mut id: OrganId| {
        let mut out = Vec::new();
        // Bounded: a corrupt tree with a cycle cannot loop forever.
        while let Some(p) = parent(id) {
            if out.contains(&p) || out.len() > n {
                break;
            }
            out.push(p);
            id = p;
        }
        out
    };
    let up_from_target = ancestors(target);
    if up_from_target.contains(&me) {
        return Relation::Descendant;
    }
    let up_from_me = ancestors(me);
    if up_from_me.contains(&target) {
        return Relation::Ancestor;
    }
    if up_from_me.iter().any(|a| up_from_target.contains(a)) {
        return Relation::Sibling;
    }
    Relation::Unrelated
}

/// The organ tree as read from the register (id order), indexed: each organ's parent and
/// children by id, so [`OrganTree::relation`] costs the depth of the tree and
/// [`OrganTree::descendants`] the size of the subtree, not a search of every organ per step;
/// and the relation of every organ to a scope node, worked out once per node and kept (a
/// page authorizes every organ of the tree against the user's node). Built once per read of
/// the organs; the web keeps one per change mark of the register.
#[derive(Debug)]
pub struct OrganTree {
    organs: Vec<Organ>,
    /// Each organ's parent (the first organ of an id, as a search in order finds it).
    parent: IdMap<Option<OrganId>>,
    /// Each organ's children, in the order of `organs`.
    children: IdMap<Vec<OrganId>>,
    /// By scope node: the relation of each organ to it.
    relations: std::sync::Mutex<IdMap<std::sync::Arc<IdMap<Relation>>>>,
}

/// A map keyed by organ id with a multiplicative hash (the ids come from the register, not
/// from an adversary; SipHash was a visible share of a list page's time).
type IdMap<V> = std::collections::HashMap<OrganId, V, std::hash::BuildHasherDefault<IdHasher>>;

/// The hasher of [`IdMap`]: one multiplication per word (FxHash's constant).
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

impl OrganTree {
    pub fn new(organs: Vec<Organ>) -> OrganTree {
        let mut parent = IdMap::with_capacity_and_hasher(organs.len(), Default::default());
        let mut children: IdMap<Vec<OrganId>> = IdMap::default();
        for o in &organs {
            parent.entry(o.id).or_insert(o.parent);
            if let Some(p) = o.parent {
                children.entry(p).or_default().push(o.id);
            }
        }
        OrganTree { organs, parent, children, relations: Default::default() }
    }

    /// Whether `id` is an organ of the tree.
    pub fn contains(&self, id: OrganId) -> bool {
        self.parent.contains_key(&id)
    }

    /// Where `target` stands relative to `scope` (the same answer as [`relation`]): the kept
    /// answer when [`OrganTree::relations`] has worked out this scope node, else a walk up
    /// (one organ is not worth working out the whole tree for).
    pub fn relation(&self, scope: Scope, target: OrganId) -> Relation {
        let Scope::Organ(me) = scope else { return Relation::Own };
        let kept = self.relations.lock().ok().and_then(|m| m.get(&me).and_then(|k| k.get(&target).copied()));
        kept.unwrap_or_else(|| self.walk(scope, target))
    }

    /// [`OrganTree::relation`] for one scope and many targets: every organ's relation to the
    /// scope node worked out once and kept, then looked up.
    pub fn relations(&self, scope: Scope) -> impl Fn(OrganId) -> Relation + '_ {
        let kept = match scope {
            Scope::Organ(me) => Some(self.relations_to(me)),
            Scope::Everywhere => None,
        };
        move |target| match &kept {
            None => Relation::Own,
            Some(k) => k.get(&target).copied().unwrap_or_else(|| self.walk(scope, target)),
        }
    }

    /// [`relation`] by walking up the index.
    fn walk(&self, scope: Scope, target: OrganId) -> Relation {
        relation_by(|id| self.parent.get(&id).copied().flatten(), self.organs.len(), scope, target)
    }

    /// The relation of every organ to the scope node `me` (kept after the first call).
    fn relations_to(&self, me: OrganId) -> std::sync::Arc<IdMap<Relation>> {
        let known = self.relations.lock().ok().and_then(|m| m.get(&me).cloned());
        if let Some(r) = known {
            return r;
        }
        let all: IdMap<Relation> = self.parent.keys().map(|&o| (o, self.walk(Scope::Organ(me), o))).collect();
        let all = std::sync::Arc::new(all);
        if let Ok(mut m) = self.relations.lock() {
            m.insert(me, all.clone());
        }
        all
    }

    /// `root` and every organ below it, breadth first, children in id order (the same list as
    /// `gongkai_register::descendants`).
    pub fn descendants(&self, root: OrganId) -> Vec<OrganId> {
        let mut out = vec![root];
        let mut seen = std::collections::HashSet::from([root]);
        let mut i = 0;
        while let Some(&cur) = out.get(i) {
            for &c in self.children.get(&cur).map_or(&[][..], Vec::as_slice) {
                if seen.insert(c) {
                    out.push(c);
                }
            }
            i += 1;
        }
        out
    }
}

impl std::ops::Deref for OrganTree {
    type Target = [Organ];
    fn deref(&self) -> &[Organ] {
        &self.organs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_register::OrganKind;

    /// The index answers exactly what the search answers, on random forests that include the
    /// corrupt shapes (cycles, parents that are not organs, an id listed twice), for every
    /// scope and target (organs and non-organs), and lists the same descendants in the same
    /// order.
    #[test]
    fn the_indexed_tree_answers_as_the_search() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut shapes = [0usize; 5];
        for round in 0..300 {
            let n = 1 + next(24);
            let organs: Vec<Organ> = (1..=n)
                .map(|i| {
                    // Mostly a proper forest (parent before child); sometimes any id, a
                    // missing one, or (rarely) the same id twice.
                    let parent = match next(10) {
                        0 => None,
                        1 => Some(next(n + 3) as i64 + 1),
                        _ if i > 1 => Some(next(i - 1) as i64 + 1),
                        _ => None,
                    };
                    let id = if round % 7 == 0 && i == n { 1 } else { i as i64 };
                    Organ {
                        id: OrganId(id),
                        name: format!("机关{i}"),
                        kind: OrganKind::Department,
                        parent: parent.map(OrganId),
                        code: String::new(),
                        index_pattern: None,
                    }
                })
                .collect();
            let tree = OrganTree::new(organs.clone());
            let ids: Vec<OrganId> = (0..=n as i64 + 2).map(OrganId).collect();
            for &me in &ids {
                for scope in [Scope::Organ(me), Scope::Everywhere] {
                    let want: Vec<Relation> = ids.iter().map(|&t| relation(&organs, scope, t)).collect();
                    // Walked up (nothing kept yet), worked out for the scope, then kept.
                    let walked: Vec<Relation> = ids.iter().map(|&t| tree.relation(scope, t)).collect();
                    let all = tree.relations(scope);
                    let worked_out: Vec<Relation> = ids.iter().map(|&t| all(t)).collect();
                    let kept: Vec<Relation> = ids.iter().map(|&t| tree.relation(scope, t)).collect();
                    for got in [walked, worked_out, kept] {
                        assert_eq!(got, want, "round {round}: {scope:?}");
                    }
                    for r in want {
                        if let Some(k) = Relation::ORGAN.iter().position(|x| *x == r) {
                            shapes[k] += 1;
                        }
                    }
                }
                assert_eq!(tree.descendants(me), gongkai_register::descendants(&organs, me), "round {round}: {me:?}");
                assert_eq!(tree.contains(me), organs.iter().any(|o| o.id == me));
            }
        }
        assert!(shapes.iter().all(|&k| k > 100), "every relation occurs: {shapes:?}");
    }
}
