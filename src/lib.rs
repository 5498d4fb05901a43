//! Seed workflows.
