//! The closed vocabularies of the content: each a serde enum with its wire key, a human label and
//! the list of its values.

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: a serde enum whose variants carry their wire key and a human label,
/// with a list of all values.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $key:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $key)] $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in content files, URLs and the API.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// A human-readable label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Looks a value up by its key.
            pub fn from_key(key: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

vocabulary!(
    /// The kind of legal instrument.
    InstrumentType {
        Constitution = "constitution" => "Constitution",
        Statute = "statute" => "Statute",
        Regulation = "regulation" => "Regulation",
        Decree = "decree" => "Decree",
        Guideline = "guideline" => "Guideline",
        CourtRuling = "court_ruling" => "Court ruling",
        Bill = "bill" => "Bill",
    }
);

vocabulary!(
    /// Where an instrument is in its lifecycle.
    InstrumentStatus {
        Proposed = "proposed" => "Proposed",
        Enacted = "enacted" => "Enacted",
        InForce = "in_force" => "In force",
        PartlyInForce = "partly_in_force" => "Partly in force",
        Amended = "amended" => "In force as amended",
        Suspended = "suspended" => "Suspended",
        StruckDown = "struck_down" => "Struck down",
        Repealed = "repealed" => "Repealed",
    }
);

vocabulary!(
    /// Who holds an ordering power.
    AuthorityType {
        Court = "court" => "Court",
        IndependentRegulator = "independent_regulator" => "Independent regulator",
        Executive = "executive" => "Executive",
        Police = "police" => "Police",
        Prosecutor = "prosecutor" => "Prosecutor",
        Intelligence = "intelligence" => "Intelligence agency",
    }
);

vocabulary!(
    /// What an ordering power lets the authority do.
    Action {
        BlockAccess = "block_access" => "Block access",
        RemoveContent = "remove_content" => "Remove content",
        SuspendAccount = "suspend_account" => "Suspend account",
        Throttle = "throttle" => "Throttle",
        Shutdown = "shutdown" => "Shut down service",
        DiscloseData = "disclose_data" => "Disclose user data",
    }
);

vocabulary!(
    /// When a court acts on an order made under a power.
    CourtRole {
        Before = "before" => "Before: a court authorises or makes the order",
        After = "after" => "After: a court can review the order once made",
        None = "none" => "None: no court role in the law",
    }
);

vocabulary!(
    /// What a court ruling did to the provision it reviewed.
    Outcome {
        Upheld = "upheld" => "Upheld",
        StruckDown = "struck_down" => "Struck down",
        PartlyStruckDown = "partly_struck_down" => "Partly struck down",
        Limited = "limited" => "Limited (read down)",
        Pending = "pending" => "Pending",
    }
);

vocabulary!(
    /// A safeguard rating.
    Value {
        Yes = "yes" => "Yes",
        Partial = "partial" => "Partial",
        No = "no" => "No",
        Silent = "silent" => "Silent",
        Unknown = "unknown" => "Unknown",
    }
);

vocabulary!(
    /// How sure the editors are of a claim.
    Confidence {
        Confirmed = "confirmed" => "Confirmed",
        Believed = "believed" => "Believed",
        Unsure = "unsure" => "Unsure",
    }
);

vocabulary!(
    /// What the law sets a date for: a review of an instrument's operation, a report to the
    /// legislature, or the lapse of its provisions.
    ReviewKind {
        Review = "review" => "Review",
        Report = "report" => "Report",
        Sunset = "sunset" => "Sunset",
        Expiry = "expiry" => "Expiry",
    }
);

vocabulary!(
    /// What a practice record counts.
    PracticeMeasure {
        OrdersIssued = "orders_issued" => "Orders issued",
        RequestsMade = "requests_made" => "Requests made",
        ItemsRemoved = "items_removed" => "Items removed",
        ItemsBlocked = "items_blocked" => "Items blocked",
        AccountsSuspended = "accounts_suspended" => "Accounts suspended",
        ChallengesMade = "challenges_made" => "Challenges made",
    }
);

vocabulary!(
    /// Editorial state of an entry.
    EntryStatus {
        Draft = "draft" => "Draft",
        Reviewed = "reviewed" => "Reviewed",
    }
);

vocabulary!(
    /// What kind of document a source is.
    SourceKind {
        Legislation = "legislation" => "Legislation",
        Court = "court" => "Court record",
        Official = "official" => "Official publication",
        Secondary = "secondary" => "Secondary analysis",
        News = "news" => "News report",
    }
);

vocabulary!(
    /// The eight safeguards every jurisdiction is assessed on.
    SafeguardKey {
        LegalClarity = "legal_clarity" => "Legal clarity",
        NecessityProportionality = "necessity_proportionality" => "Necessity and proportionality",
        JudicialAuthorisation = "judicial_authorisation" => "Judicial authorisation",
        IndependentOversight = "independent_oversight" => "Independent oversight",
        UserNotice = "user_notice" => "User notice",
        AppealRedress = "appeal_redress" => "Appeal and redress",
        TransparencyReporting = "transparency_reporting" => "Transparency reporting",
        SunsetReview = "sunset_review" => "Sunset and review",
    }
);

impl SafeguardKey {
    /// The stable anchor of this safeguard on a jurisdiction page, e.g. `safeguard-user-notice`.
    pub fn anchor(self) -> String {
        crate::routes::safeguard_anchor(self.key())
    }
}

impl SourceKind {
    /// True for the official text of a law, a court's record or an official publication.
    pub fn is_primary(self) -> bool {
        matches!(
            self,
            SourceKind::Legislation | SourceKind::Court | SourceKind::Official
        )
    }
}

impl Value {
    /// A one-character symbol, so that a value never relies on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Value::Yes => "✓",
            Value::Partial => "◐",
            Value::No => "✗",
            Value::Silent => "–",
            Value::Unknown => "?",
        }
    }
}
