//! Platform-free request handling: routing, auth, config, error mapping (http types in and out).
