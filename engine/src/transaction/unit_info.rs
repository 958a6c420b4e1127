//! What a transaction needs to know about one unit besides its dependencies: whether it is
//! perpetual, which job types it supports, and its isolate and manual-request settings.
use super::error::TransactionError;
use super::job::JobType;
use crate::graph::{DepKind, Manager, Node};
use crate::load::LoadState;
use crate::name::UnitType;

/// True for the units the manager synthesizes and never stops: `-.slice`, `-.mount`, `init.scope`
/// and, for the system manager, `system.slice`.
pub fn is_perpetual(node: &Node, manager: Manager) -> bool {
    match node.id().as_str() {
        "-.slice" | "-.mount" | "init.scope" => true,
        "system.slice" => manager == Manager::System,
        _ => false,
    }
}

fn flag(node: &Node, key: &str) -> Option<bool> {
    node.unit
        .settings
        .get("Unit", key)
        .and_then(|v| crate::syntax::parse_boolean(v.value))
}

/// `AllowIsolate=` (default no).
pub fn allow_isolate(node: &Node) -> bool {
    flag(node, "AllowIsolate").unwrap_or(false)
}

/// `IgnoreOnIsolate=`; the default is yes for automount, device, mount, scope, slice and swap
/// units.
pub fn ignore_on_isolate(node: &Node) -> bool {
    flag(node, "IgnoreOnIsolate").unwrap_or(matches!(
        node.id().unit_type(),
        UnitType::Automount
            | UnitType::Device
            | UnitType::Mount
            | UnitType::Scope
            | UnitType::Slice
            | UnitType::Swap
    ))
}

/// `RefuseManualStart=` (default no).
pub fn refuse_manual_start(node: &Node) -> bool {
    flag(node, "RefuseManualStart").unwrap_or(false)
}

/// `RefuseManualStop=` (default no).
pub fn refuse_manual_stop(node: &Node) -> bool {
    flag(node, "RefuseManualStop").unwrap_or(false)
}

/// Whether the manager could start the unit (`unit_can_start()`): loaded, and of a type that
/// starts (every type but device).
pub fn can_start(node: &Node) -> bool {
    node.load_state() == LoadState::Loaded && node.id().unit_type() != UnitType::Device
}

/// Whether the manager could stop the unit (`unit_can_stop()`): not perpetual, not a device.
pub fn can_stop(node: &Node, manager: Manager) -> bool {
    !is_perpetual(node, manager) && node.id().unit_type() != UnitType::Device
}

/// Whether the unit can reload (`unit_can_reload()`): a service with `ExecReload=`, any mount, or
/// a unit that propagates reloads to others.
pub fn can_reload(node: &Node) -> bool {
    let own = match node.id().unit_type() {
        UnitType::Service => !node.unit.settings.list("Service", "ExecReload").is_empty(),
        UnitType::Mount => true,
        _ => false,
    };
    own || node.deps_of(DepKind::PropagatesReloadTo).next().is_some()
}

/// `unit_job_is_applicable()`.
pub fn job_is_applicable(node: &Node, manager: Manager, t: JobType) -> bool {
    match t {
        JobType::Start | JobType::VerifyActive | JobType::Nop => true,
        JobType::Stop => !is_perpetual(node, manager),
        JobType::Restart | JobType::TryRestart => can_stop(node, manager) && can_start(node),
        JobType::Reload | JobType::TryReload => can_reload(node),
        JobType::ReloadOrStart => can_reload(node) && can_start(node),
    }
}

/// The error for a unit that is not fully loaded (`bus_unit_validate_load_state()`), if any.
pub fn load_state_error(node: &Node) -> Option<TransactionError> {
    let id = node.id().clone();
    match node.load_state() {
        LoadState::Loaded => None,
        LoadState::NotFound => Some(TransactionError::NotFound(id)),
        LoadState::BadSetting => Some(TransactionError::BadSetting(id)),
        LoadState::Error => Some(TransactionError::LoadFailed {
            strerror: node
                .unit
                .load_error
                .as_ref()
                .map(|e| e.strerror().to_owned())
                .unwrap_or_else(|| "Input/output error".to_owned()),
            unit: id,
        }),
        LoadState::Masked => Some(TransactionError::Masked(id)),
        LoadState::Stub | LoadState::Merged => Some(TransactionError::NotLoadedProperly(id)),
    }
}
