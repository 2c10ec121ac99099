//! Closed lists of values (roles, statuses, kinds) stored by slug and shown by a Dutch label.

use strum::{EnumMessage, IntoEnumIterator};

/// A vocabulary whose values are stored and sent by slug and shown by a Dutch label.
pub trait Vocabulary: IntoEnumIterator + EnumMessage + Into<&'static str> + Copy {
    fn slug(self) -> &'static str {
        self.into()
    }

    fn label(self) -> &'static str {
        self.get_message().unwrap_or_else(|| self.into())
    }

    fn from_slug(slug: &str) -> Option<Self> {
        Self::iter().find(|value| value.slug() == slug)
    }

    /// The label of a stored slug; an unknown slug is shown as it is.
    fn label_of(slug: &str) -> String {
        Self::from_slug(slug).map(|value| value.label().to_string()).unwrap_or_else(|| slug.to_string())
    }

    fn slugs() -> Vec<&'static str> {
        Self::iter().map(Self::slug).collect()
    }
}
