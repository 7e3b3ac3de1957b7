//! Upstream adapters: one folder per vendor behind one trait.
