"""Human handoff: the ticket state machine and its repository; business hours."""
