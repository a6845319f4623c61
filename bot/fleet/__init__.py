"""Fleet triage: many hosts' reports clustered by cause and by the facts they share."""
