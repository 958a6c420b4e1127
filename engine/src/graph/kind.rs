//! The dependency kinds of systemd 252 (`UnitDependency`, reference §5.1) and their inverses.
use std::fmt;

/// One kind of dependency as the manager stores it on a unit. Every kind has an inverse stored on the
/// other unit (`Requires` ↔ `RequiredBy`); `JoinsNamespaceOf` is its own inverse.
///
/// The variants are in systemd's enum order, which is also the order `systemd --test` dumps them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// `Requires=`.
    Requires,
    /// `Requisite=`.
    Requisite,
    /// `Wants=` and `.wants/` entries.
    Wants,
    /// `BindsTo=` (also `BindTo=`).
    BindsTo,
    /// `PartOf=`.
    PartOf,
    /// `Upholds=`.
    Upholds,
    /// Inverse of `Requires`.
    RequiredBy,
    /// Inverse of `Requisite`.
    RequisiteOf,
    /// Inverse of `Wants`.
    WantedBy,
    /// Inverse of `BindsTo`.
    BoundBy,
    /// Inverse of `Upholds`.
    UpheldBy,
    /// Inverse of `PartOf`.
    ConsistsOf,
    /// `Conflicts=`.
    Conflicts,
    /// Inverse of `Conflicts`.
    ConflictedBy,
    /// `Before=`.
    Before,
    /// `After=`.
    After,
    /// `OnSuccess=`.
    OnSuccess,
    /// Inverse of `OnSuccess`.
    OnSuccessOf,
    /// `OnFailure=`.
    OnFailure,
    /// Inverse of `OnFailure`.
    OnFailureOf,
    /// A socket, timer or path unit's unit to activate.
    Triggers,
    /// Inverse of `Triggers`.
    TriggeredBy,
    /// `PropagatesReloadTo=`.
    PropagatesReloadTo,
    /// `ReloadPropagatedFrom=`.
    ReloadPropagatedFrom,
    /// `PropagatesStopTo=`.
    PropagatesStopTo,
    /// `StopPropagatedFrom=`.
    StopPropagatedFrom,
    /// `JoinsNamespaceOf=` (symmetric).
    JoinsNamespaceOf,
    /// Garbage-collection bookkeeping: added alongside every dependency given "with reference".
    References,
    /// Inverse of `References`.
    ReferencedBy,
    /// The unit's slice (`Slice=` or the default slice).
    InSlice,
    /// Inverse of `InSlice`.
    SliceOf,
}

impl DepKind {
    /// All kinds in systemd's enum order.
    pub const ALL: [DepKind; 31] = [
        DepKind::Requires,
        DepKind::Requisite,
        DepKind::Wants,
        DepKind::BindsTo,
        DepKind::PartOf,
        DepKind::Upholds,
        DepKind::RequiredBy,
        DepKind::RequisiteOf,
        DepKind::WantedBy,
        DepKind::BoundBy,
        DepKind::UpheldBy,
        DepKind::ConsistsOf,
        DepKind::Conflicts,
        DepKind::ConflictedBy,
        DepKind::Before,
        DepKind::After,
        DepKind::OnSuccess,
        DepKind::OnSuccessOf,
        DepKind::OnFailure,
        DepKind::OnFailureOf,
        DepKind::Triggers,
        DepKind::TriggeredBy,
        DepKind::PropagatesReloadTo,
        DepKind::ReloadPropagatedFrom,
        DepKind::PropagatesStopTo,
        DepKind::StopPropagatedFrom,
        DepKind::JoinsNamespaceOf,
        DepKind::References,
        DepKind::ReferencedBy,
        DepKind::InSlice,
        DepKind::SliceOf,
    ];

    /// systemd's name (`Requires`, `WantedBy`, ...), as in the dump and in `systemctl show`.
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Requires => "Requires",
            DepKind::Requisite => "Requisite",
            DepKind::Wants => "Wants",
            DepKind::BindsTo => "BindsTo",
            DepKind::PartOf => "PartOf",
            DepKind::Upholds => "Upholds",
            DepKind::RequiredBy => "RequiredBy",
            DepKind::RequisiteOf => "RequisiteOf",
            DepKind::WantedBy => "WantedBy",
            DepKind::BoundBy => "BoundBy",
            DepKind::UpheldBy => "UpheldBy",
            DepKind::ConsistsOf => "ConsistsOf",
            DepKind::Conflicts => "Conflicts",
            DepKind::ConflictedBy => "ConflictedBy",
            DepKind::Before => "Before",
            DepKind::After => "After",
            DepKind::OnSuccess => "OnSuccess",
            DepKind::OnSuccessOf => "OnSuccessOf",
            DepKind::OnFailure => "OnFailure",
            DepKind::OnFailureOf => "OnFailureOf",
            DepKind::Triggers => "Triggers",
            DepKind::TriggeredBy => "TriggeredBy",
            DepKind::PropagatesReloadTo => "PropagatesReloadTo",
            DepKind::ReloadPropagatedFrom => "ReloadPropagatedFrom",
            DepKind::PropagatesStopTo => "PropagatesStopTo",
            DepKind::StopPropagatedFrom => "StopPropagatedFrom",
            DepKind::JoinsNamespaceOf => "JoinsNamespaceOf",
            DepKind::References => "References",
            DepKind::ReferencedBy => "ReferencedBy",
            DepKind::InSlice => "InSlice",
            DepKind::SliceOf => "SliceOf",
        }
    }

    /// Parses systemd's name back.
    pub fn from_name(s: &str) -> Option<DepKind> {
        DepKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind stored on the other unit.
    pub fn inverse(self) -> DepKind {
        use DepKind::*;
        match self {
            Requires => RequiredBy,
            Requisite => RequisiteOf,
            Wants => WantedBy,
            BindsTo => BoundBy,
            PartOf => ConsistsOf,
            Upholds => UpheldBy,
            RequiredBy => Requires,
            RequisiteOf => Requisite,
            WantedBy => Wants,
            BoundBy => BindsTo,
            UpheldBy => Upholds,
            ConsistsOf => PartOf,
            Conflicts => ConflictedBy,
            ConflictedBy => Conflicts,
            Before => After,
            After => Before,
            OnSuccess => OnSuccessOf,
            OnSuccessOf => OnSuccess,
            OnFailure => OnFailureOf,
            OnFailureOf => OnFailure,
            Triggers => TriggeredBy,
            TriggeredBy => Triggers,
            PropagatesReloadTo => ReloadPropagatedFrom,
            ReloadPropagatedFrom => PropagatesReloadTo,
            PropagatesStopTo => StopPropagatedFrom,
            StopPropagatedFrom => PropagatesStopTo,
            JoinsNamespaceOf => JoinsNamespaceOf,
            References => ReferencedBy,
            ReferencedBy => References,
            InSlice => SliceOf,
            SliceOf => InSlice,
        }
    }

    /// The `[Unit]` directive that creates this kind, for the directives of reference §5.1
    /// (`BindTo=`, `PropagateReloadTo=`, `PropagateReloadFrom=` are accepted as old spellings;
    /// `RequiresOverridable=`/`RequisiteOverridable=` are obsolete forms of `Requires=`/`Requisite=`).
    pub fn from_directive(key: &str) -> Option<DepKind> {
        Some(match key {
            "Requires" | "RequiresOverridable" => DepKind::Requires,
            "Requisite" | "RequisiteOverridable" => DepKind::Requisite,
            "Wants" => DepKind::Wants,
            "BindsTo" | "BindTo" => DepKind::BindsTo,
            "PartOf" => DepKind::PartOf,
            "Upholds" => DepKind::Upholds,
            "Conflicts" => DepKind::Conflicts,
            "Before" => DepKind::Before,
            "After" => DepKind::After,
            "OnSuccess" => DepKind::OnSuccess,
            "OnFailure" => DepKind::OnFailure,
            "PropagatesReloadTo" | "PropagateReloadTo" => DepKind::PropagatesReloadTo,
            "ReloadPropagatedFrom" | "PropagateReloadFrom" => DepKind::ReloadPropagatedFrom,
            "PropagatesStopTo" => DepKind::PropagatesStopTo,
            "StopPropagatedFrom" => DepKind::StopPropagatedFrom,
            "JoinsNamespaceOf" => DepKind::JoinsNamespaceOf,
            _ => return None,
        })
    }

    /// The `[Unit]` keys that are dependency directives, in the order systemd's parser table has them.
    pub const DIRECTIVES: [&'static str; 21] = [
        "Requires",
        "Requisite",
        "Wants",
        "BindsTo",
        "BindTo",
        "Upholds",
        "Conflicts",
        "Before",
        "After",
        "OnSuccess",
        "OnFailure",
        "PropagatesReloadTo",
        "PropagateReloadTo",
        "ReloadPropagatedFrom",
        "PropagateReloadFrom",
        "PropagatesStopTo",
        "StopPropagatedFrom",
        "PartOf",
        "JoinsNamespaceOf",
        "RequiresOverridable",
        "RequisiteOverridable",
    ];

    /// Whether dropping a self-dependency of this kind is logged (`Dependency X=Y is dropped.`).
    pub fn warns_on_self(self) -> bool {
        matches!(
            self,
            DepKind::Conflicts
                | DepKind::ConflictedBy
                | DepKind::Before
                | DepKind::After
                | DepKind::OnSuccess
                | DepKind::OnFailure
                | DepKind::Triggers
                | DepKind::TriggeredBy
        )
    }

    /// The kinds through which a unit pulls other units into a start transaction
    /// (`Requires`, `Requisite`, `Wants`, `BindsTo`, `Upholds`).
    pub fn pulls_in(self) -> bool {
        matches!(
            self,
            DepKind::Requires
                | DepKind::Requisite
                | DepKind::Wants
                | DepKind::BindsTo
                | DepKind::Upholds
        )
    }
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // reference §5.1: every kind has an inverse, and the inverse of the inverse is the kind.
    #[test]
    fn inverses_are_involutions() {
        for k in DepKind::ALL {
            assert_eq!(k.inverse().inverse(), k);
            assert_eq!(DepKind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(
            DepKind::JoinsNamespaceOf.inverse(),
            DepKind::JoinsNamespaceOf
        );
        assert_eq!(DepKind::from_directive("BindTo"), Some(DepKind::BindsTo));
    }
}
