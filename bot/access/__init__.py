"""Who may do what: the access policy and the host groups it can name."""
