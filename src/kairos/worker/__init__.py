"""The worker: a scheduler tick plans moments from new events, claims due ones and runs decide → compose → deliver."""
