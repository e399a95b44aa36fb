"""The app side of the push channels (the Zoom webhook, the generic webhook): routes,
session routing and counters. The channels' pure code lives in `integrations/`."""
