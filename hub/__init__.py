"""Crosscanal hub: the master product record, its services, the publishing pipeline and the web layer."""
