"""KPIs: the rules that define them, the shipped catalogue, and the engine that counts them."""
