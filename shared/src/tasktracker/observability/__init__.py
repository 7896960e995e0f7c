"""The operations contract (spec section 6): logging, request ids and metrics, once for all six."""
