"""JSON Lines bundles: import history into caredesk and export it again."""
