"""Records people enter (organizations, meetings, agreements, events, …): writes, reads, merges."""
