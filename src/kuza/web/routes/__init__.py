"""Page routes, one small module per area."""
