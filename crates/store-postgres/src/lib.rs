//! PostgreSQL backend of [`gongkai_store::Store`] (in progress; see the store branch history).
