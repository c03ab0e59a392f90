//! TODO: the vyte fake (providers.md).
