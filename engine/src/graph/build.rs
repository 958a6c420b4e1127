//! Building the graph: loading units on demand from the catalog and adding their dependencies as the
//! manager does (`unit_add_dependency()`, reference §5.1), in load-queue order (the manager's queue is
//! a stack: the unit referenced last is loaded next).
use super::kind::DepKind;
use super::mask::DepMask;
use super::node::Node;
use super::specifier::Credentials;
use super::Graph;
use crate::diag::{Code, Diagnostic, Severity, Sink};
use crate::fs::FileSystem;
use crate::load::{load_unit, Catalog, LoadOptions, LoadState};
use crate::name::{NameKind, UnitName, UnitType};
use camino::Utf8PathBuf;

/// Which manager's rules apply (reference §5.3 notes where they differ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Manager {
    /// The system manager (PID 1, `systemd --test --system`).
    #[default]
    System,
    /// A user manager (`systemd --user`).
    User,
}

/// Options of graph building.
#[derive(Clone, Debug)]
pub struct GraphOptions {
    /// System or user manager.
    pub manager: Manager,
    /// How units are loaded.
    pub load: LoadOptions,
    /// Whose credentials `%u %U %g %G` expand to.
    pub credentials: Credentials,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            manager: Manager::System,
            load: LoadOptions::default(),
            credentials: Credentials::root(),
        }
    }
}

/// Why a dependency could not be added (the `%m` of systemd's messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AddError {
    /// EINVAL.
    Invalid,
}

impl AddError {
    pub(crate) fn strerror(self) -> &'static str {
        match self {
            AddError::Invalid => "Invalid argument",
        }
    }
}

/// The state of one loading run over a graph.
pub(crate) struct Loader<'a> {
    pub(crate) fs: &'a dyn FileSystem,
    pub(crate) catalog: &'a Catalog,
    pub(crate) graph: &'a mut Graph,
    pub(crate) sink: &'a mut dyn Sink,
    /// The load queue: (unit id, the name it was asked for), most recent last.
    stack: Vec<(UnitName, UnitName)>,
    /// While a fragment is parsed: (unit id, the name it is parsed under), for messages.
    pub(crate) parsing_as: Option<(UnitName, UnitName)>,
    /// The mount unit name of each path prefix met (`RequiresMountsFor=`): most units share a
    /// few prefixes (`/`, `/var`, `/var/tmp`).
    mount_names: std::collections::HashMap<String, Option<UnitName>, super::NameHash>,
    /// The position of the unit looked up last by [`Loader::node`] (the unit being processed is
    /// asked for many times in a row).
    last: std::cell::Cell<usize>,
    /// Positions of units by the address of their name's text (see [`Loader::position`]).
    positions: Box<[(usize, u32); POSITION_SLOTS]>,
}

/// Slots of [`Loader::position`]'s cache.
const POSITION_SLOTS: usize = 256;

impl<'a> Loader<'a> {
    pub(crate) fn new(
        fs: &'a dyn FileSystem,
        catalog: &'a Catalog,
        graph: &'a mut Graph,
        sink: &'a mut dyn Sink,
    ) -> Loader<'a> {
        Loader {
            fs,
            catalog,
            graph,
            sink,
            stack: Vec::new(),
            parsing_as: None,
            mount_names: Default::default(),
            last: std::cell::Cell::new(usize::MAX),
            positions: Box::new([(0, 0); POSITION_SLOTS]),
        }
    }

    /// The position of unit `id` in the graph's nodes, if it is there. Names are cloned from the
    /// node's id, not rebuilt, so most share its text: a direct-mapped cache keyed by the address
    /// of the text answers the units a run adds dependencies to over and over (the unit being
    /// processed, `sysinit.target`, `shutdown.target`, the slice) without hashing the name. A hit
    /// is checked against the node at that position (same text address and length: the same
    /// text, both being alive), so the cache never needs to be emptied.
    pub(crate) fn position(&mut self, id: &UnitName) -> Option<usize> {
        let text = id.as_str();
        let address = text.as_ptr() as usize;
        let slot = (address >> 4) % POSITION_SLOTS;
        let (cached, at) = self.positions[slot];
        if cached == address {
            if let Some((k, _)) = self.graph.nodes.get_index(at as usize) {
                if k.as_str().as_ptr() as usize == address && k.as_str().len() == text.len() {
                    return Some(at as usize);
                }
            }
        }
        let (i, k, _) = self.graph.nodes.get_full(text)?;
        let own = k.as_str().as_ptr() as usize;
        if own == address {
            if let Ok(at) = u32::try_from(i) {
                self.positions[slot] = (address, at);
            }
        }
        Some(i)
    }

    /// Loads `name` (if not loaded yet) and returns the unit's id. Its dependencies are added when
    /// the queue is run.
    pub(crate) fn load(&mut self, name: &UnitName) -> UnitName {
        if let Some(id) = self.graph.names.get(name.as_str()) {
            return id.clone();
        }
        let unit = load_unit(
            self.fs,
            self.catalog,
            name,
            &self.graph.options.load,
            self.sink,
        );
        let mut unit = unit;
        let mut id = unit.id.clone();
        if let Some(existing) = self.graph.nodes.get(&id) {
            // The name is another name of a unit that already exists. systemd creates a unit object
            // per name and merges them when one of them is loaded: if the unit was not loaded yet,
            // whichever name leaves the queue first is the one its fragment is parsed under. Once
            // loaded, a merge into a *masked* unit fails and the other name stays a unit of its own
            // that failed to load ("File exists"); other states merge (verified with
            // `systemd --test`).
            let processed = existing.load_order != usize::MAX;
            if processed && existing.load_state() == LoadState::Masked && id != *name {
                unit.id = name.clone();
                unit.names = vec![name.clone()];
                unit.load_state = LoadState::Error;
                unit.load_error = Some(crate::load::LoadError::Read("File exists".into()));
                unit.fragment = None;
                unit.dropins.clear();
                unit.wants.clear();
                unit.requires.clear();
                unit.settings = Default::default();
                id = name.clone();
            } else {
                self.graph.names.insert(name.clone(), id.clone());
                if !processed {
                    self.stack.push((id.clone(), name.clone()));
                }
                return id;
            }
        }
        self.graph.names.insert(name.clone(), id.clone());
        // The unit's other names are known once it is loaded (see `Graph::get`); a name that is
        // asked for later gets its own queue entry above.
        let mut node = Node::new(unit);
        node.default_dependencies = default_dependencies(&node, self.graph.options.manager);
        self.graph
            .nodes
            .insert(id.clone(), std::sync::Arc::new(node));
        self.stack.push((id.clone(), name.clone()));
        id
    }

    /// The node of a unit in the graph (checked against the unit looked up last before hashing
    /// the name: nodes are never removed while loading, so a position stays valid).
    ///
    /// # Panics
    /// If `id` is not in the graph (callers pass units being processed).
    pub(crate) fn node(&self, id: &UnitName) -> &super::Node {
        let last = self.last.get();
        if let Some((k, n)) = self.graph.nodes.get_index(last) {
            let (k, id) = (k.as_str(), id.as_str());
            if k.len() == id.len() && (k.as_ptr() == id.as_ptr() || k == id) {
                return n;
            }
        }
        let (i, _, n) = self
            .graph
            .nodes
            .get_full(id)
            .expect("unit being processed is in the graph");
        self.last.set(i);
        n
    }

    /// The mount unit name of a path (`name_from_path`), remembered per path.
    pub(crate) fn mount_name(&mut self, path: &str) -> Option<UnitName> {
        if let Some(n) = self.mount_names.get(path) {
            return n.clone();
        }
        let n = crate::name::name_from_path(path, UnitType::Mount).ok();
        self.mount_names.insert(path.to_owned(), n.clone());
        n
    }

    /// Runs the load queue until it is empty, then the passes that need every unit loaded.
    pub(crate) fn run(&mut self) {
        let first = self.graph.loaded;
        while let Some((id, name)) = self.stack.pop() {
            // The unit is found once by name; `process` and the `node` lookups of its passes
            // start from that position.
            let i = self
                .graph
                .nodes
                .get_index_of(&id)
                .expect("queued units are in the graph");
            if self.graph.nodes[i].load_order != usize::MAX {
                continue;
            }
            std::sync::Arc::make_mut(&mut self.graph.nodes[i])
                .unit
                .requested = name;
            self.last.set(i);
            self.process(i, &id);
        }
        super::implicit::mount_dependencies(self);
        super::defaults::queue_side(self, first);
    }

    fn process(&mut self, i: usize, id: &UnitName) {
        let order = self.graph.loaded;
        self.graph.loaded += 1;
        std::sync::Arc::make_mut(&mut self.graph.nodes[i]).load_order = order;
        let state = self.graph.nodes[i].load_state();
        if matches!(
            state,
            LoadState::Loaded | LoadState::BadSetting | LoadState::Masked
        ) {
            super::directive::file_dependencies(self, id);
        }
        // A fatal setting error ended loading before the type's extras (reference §3.4); a
        // refusal of the type's checks comes after them.
        let cut_short = matches!(
            self.node(id).unit.load_error,
            Some(crate::load::LoadError::FatalSetting { .. })
        );
        if matches!(state, LoadState::Loaded | LoadState::BadSetting) && !cut_short {
            super::implicit::type_extras(self, id);
        }
        // The extras may have failed the unit (a bus name taken by another service).
        let state = self.node(id).load_state();
        if state == LoadState::Loaded {
            super::implicit::slice_dependencies(self, id);
            super::implicit::load_mount_prefixes(self, id);
        }
    }

    /// `unit_add_dependency()`: stores `kind` on `u` and its inverse on `other`, plus
    /// References/ReferencedBy when `reference` is set. Returns false when the dependency was
    /// refused (with systemd's message).
    pub(crate) fn add(
        &mut self,
        u: &UnitName,
        kind: DepKind,
        other: &UnitName,
        reference: bool,
        mask: DepMask,
    ) -> bool {
        if !self.accepts(u, kind, other) {
            return false;
        }
        // Each end is looked up once (the two are different units: see `accepts`).
        let at = (self.position(u), self.position(other));
        self.add_at(at, u, kind, other, reference, mask);
        true
    }

    /// The refusals of [`Loader::add`]: a dependency on the unit itself (with systemd's warning
    /// for the kinds that give one) and the type checks.
    fn accepts(&mut self, u: &UnitName, kind: DepKind, other: &UnitName) -> bool {
        if u == other {
            if kind.warns_on_self() {
                let shown = match &self.parsing_as {
                    Some((id, base)) if id == u => base.clone(),
                    _ => u.clone(),
                };
                self.unit_log(
                    &shown,
                    Severity::Warning,
                    format!("Dependency {kind}={shown} is dropped."),
                );
            }
            return false;
        }
        // The types only matter for four kinds (`unit_type` is not free).
        !matches!(
            kind,
            DepKind::Before | DepKind::OnFailure | DepKind::Triggers | DepKind::InSlice
        ) || self.type_allows(u, kind, other)
    }

    /// The four additions of an accepted dependency, given the positions of `u` and `other`. The
    /// edges of one unit are in maps per kind, so the order of the four does not matter.
    fn add_at(
        &mut self,
        (ui, oi): (Option<usize>, Option<usize>),
        u: &UnitName,
        kind: DepKind,
        other: &UnitName,
        reference: bool,
        mask: DepMask,
    ) {
        let nodes = &mut self.graph.nodes;
        if let Some(i) = ui {
            let n = std::sync::Arc::make_mut(&mut nodes[i]);
            n.add(kind, other, mask, DepMask::NONE);
            if reference {
                n.add(DepKind::References, other, mask, DepMask::NONE);
            }
        }
        if let Some(i) = oi {
            let n = std::sync::Arc::make_mut(&mut nodes[i]);
            if kind.inverse() != kind {
                n.add(kind.inverse(), u, DepMask::NONE, mask);
            }
            if reference {
                n.add(DepKind::ReferencedBy, u, DepMask::NONE, mask);
            }
        }
    }

    /// The type checks of [`Loader::add`] (`Before=` a device, `OnFailure=`, `Triggers=` and
    /// `Slice=` from or to types that cannot have them), with systemd's messages; false when the
    /// dependency is refused.
    fn type_allows(&mut self, u: &UnitName, kind: DepKind, other: &UnitName) -> bool {
        let ut = u.unit_type();
        let ot = other.unit_type();
        if matches!(kind, DepKind::Before) && ot == UnitType::Device {
            self.unit_log(
                u,
                Severity::Warning,
                format!("Dependency Before={other} ignored (.device units cannot be delayed)"),
            );
            return false;
        }
        if kind == DepKind::OnFailure && !can_fail(ut) {
            self.unit_log(
                u,
                Severity::Warning,
                format!(
                    "Requested dependency OnFailure={other} ignored ({} units cannot fail).",
                    ut.as_str()
                ),
            );
            return false;
        }
        if kind == DepKind::Triggers && !can_trigger(ut) {
            self.unit_log(u, Severity::Error, format!("Requested dependency Triggers={other} refused ({} units cannot trigger other units).", ut.as_str()));
            return false;
        }
        if kind == DepKind::InSlice && ot != UnitType::Slice {
            self.unit_log(
                u,
                Severity::Error,
                format!(
                    "Requested dependency Slice={other} refused ({other} is not a slice unit)."
                ),
            );
            return false;
        }
        if kind == DepKind::InSlice && !has_cgroup(ut) {
            self.unit_log(
                u,
                Severity::Error,
                format!("Requested dependency Slice={other} refused ({u} is not a cgroup unit)."),
            );
            return false;
        }
        true
    }

    /// `unit_add_dependency_by_name()`: instantiates a template name (reference §3.2), loads the
    /// unit and adds the dependency.
    pub(crate) fn add_by_name(
        &mut self,
        u: &UnitName,
        kinds: &[DepKind],
        name: &str,
        reference: bool,
        mask: DepMask,
    ) -> Result<UnitName, AddError> {
        self.add_by_name_as(u, u, kinds, name, reference, mask)
    }

    /// [`Loader::add_by_name`] for a name that is a valid unit name already (no second check; a
    /// template is still instantiated for `u`).
    pub(crate) fn add_by_unit_name(
        &mut self,
        u: &UnitName,
        kinds: &[DepKind],
        name: &UnitName,
        reference: bool,
        mask: DepMask,
    ) -> Result<UnitName, AddError> {
        let other = if name.kind() == NameKind::Template {
            resolve_template(u, name.as_str())?
        } else {
            name.clone()
        };
        let other = self.load(&other);
        self.add_kinds(u, kinds, &other, reference, mask);
        Ok(other)
    }

    /// [`Loader::add`] for each of `kinds` in order. `References=`/`ReferencedBy=` are only added
    /// with the first kind that is accepted: with the same mask, adding them again for the later
    /// kinds changes nothing (the sources are a union), so it is skipped.
    pub(crate) fn add_kinds(
        &mut self,
        u: &UnitName,
        kinds: &[DepKind],
        other: &UnitName,
        reference: bool,
        mask: DepMask,
    ) {
        let mut reference = reference;
        // Both ends are looked up once for all kinds (adding edges adds no node).
        let mut at = None;
        for &k in kinds {
            if !self.accepts(u, k, other) {
                continue;
            }
            let p = match at {
                Some(p) => p,
                None => {
                    let p = (self.position(u), self.position(other));
                    at = Some(p);
                    p
                }
            };
            self.add_at(p, u, k, other, reference, mask);
            reference = false;
        }
    }

    /// [`Loader::add_by_name`] with templates instantiated for `base`: the name the unit is being
    /// parsed under (systemd parses a fragment into the unit object of the *requested* name, and
    /// merges it into the unit's id afterwards).
    pub(crate) fn add_by_name_as(
        &mut self,
        u: &UnitName,
        base: &UnitName,
        kinds: &[DepKind],
        name: &str,
        reference: bool,
        mask: DepMask,
    ) -> Result<UnitName, AddError> {
        // A name known already (`sysinit.target` for every service) is neither checked nor
        // built again: it is valid, and not a template (those contain `@.`), so
        // `resolve_template` would give it back unchanged, and loading would find its id.
        let known = if name.contains("@.") {
            None
        } else {
            self.graph.names.get(name).cloned()
        };
        let other = match known {
            Some(id) => id,
            None => {
                let other = resolve_template(base, name)?;
                self.load(&other)
            }
        };
        self.add_kinds(u, kinds, &other, reference, mask);
        Ok(other)
    }

    /// Logs a unit-level message (`UNIT: message`).
    pub(crate) fn unit_log(&mut self, u: &UnitName, severity: Severity, message: String) {
        self.sink.push(Diagnostic::new(
            Utf8PathBuf::from(u.as_str()),
            0,
            severity,
            Code::Dependency,
            message,
        ));
    }

    /// Logs a message about a setting (`FILE:LINE: message`).
    pub(crate) fn file_log(&mut self, file: &camino::Utf8Path, line: u32, message: String) {
        self.sink.push(Diagnostic::new(
            file,
            line,
            Severity::Warning,
            Code::Dependency,
            message,
        ));
    }
}

/// `resolve_template()`: a template name is instantiated with `u`'s instance, or `u`'s prefix when
/// `u` is not an instance; other names must be valid plain or instance names.
pub(crate) fn resolve_template(u: &UnitName, name: &str) -> Result<UnitName, AddError> {
    let parsed = UnitName::new(name).map_err(|_| AddError::Invalid)?;
    if parsed.kind() == NameKind::Template {
        let instance = u.instance().unwrap_or(u.prefix());
        return parsed
            .with_instance(instance)
            .map_err(|_| AddError::Invalid);
    }
    Ok(parsed)
}

/// The unit's `DefaultDependencies=` (default yes); the root slice and the system manager's
/// `system.slice` have none.
fn default_dependencies(node: &Node, manager: Manager) -> bool {
    let id = node.id().as_str();
    if id == "-.slice" || (id == "system.slice" && manager == Manager::System) {
        return false;
    }
    node.unit
        .settings
        .get("Unit", "DefaultDependencies")
        .and_then(|v| parse_boolean(v.value))
        .unwrap_or(true)
}

pub(crate) use crate::syntax::parse_boolean;

/// Types whose units can fail (and so may have `OnFailure=`).
pub fn can_fail(t: UnitType) -> bool {
    !matches!(t, UnitType::Slice | UnitType::Device)
}

/// Types whose units trigger others (socket, timer, path, automount).
pub fn can_trigger(t: UnitType) -> bool {
    matches!(
        t,
        UnitType::Socket | UnitType::Timer | UnitType::Path | UnitType::Automount
    )
}

/// Types with a cgroup (and so a slice).
pub fn has_cgroup(t: UnitType) -> bool {
    matches!(
        t,
        UnitType::Service
            | UnitType::Socket
            | UnitType::Mount
            | UnitType::Swap
            | UnitType::Slice
            | UnitType::Scope
    )
}
