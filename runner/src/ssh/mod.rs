//! The libssh2 transport (being written).
