"""Background jobs other than publishing: each owns its sessions and commits its own work."""
