"""The lead desk: the DCC's inbox, routing, working a lead, the appointments calendar."""
