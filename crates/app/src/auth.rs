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

/// Where `target` stands relative to `scope` in the organ tree `organs`.
pub fn relation(organs: &[Organ], scope: Scope, target: OrganId) -> Relation {
    let Scope::Organ(me) = scope else { return Relation::Own };
    if me == target {
        return Relation::Own;
    }
    let parent = |id: OrganId| organs.iter().find(|o| o.id == id).and_then(|o| o.parent);
    let ancestors = |mut id: OrganId| {
        let mut out = Vec::new();
        // Bounded: a corrupt tree with a cycle cannot loop forever.
        while let Some(p) = parent(id) {
            if out.contains(&p) || out.len() > organs.len() {
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
