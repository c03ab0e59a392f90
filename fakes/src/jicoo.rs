//! TODO: the jicoo fake (providers.md).
