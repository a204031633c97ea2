"""Console users: argon2-hashed passwords and roles (admin, officer, viewer)."""
