"""KPIs: the shipped catalogue and the engine that counts them."""
