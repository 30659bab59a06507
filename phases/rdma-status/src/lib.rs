//! Phase `rdma-status` (being written).
