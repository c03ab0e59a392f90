//! TODO: the aurinko fake (providers.md).
