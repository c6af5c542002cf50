// Placeholder source: the layering self-test only configures, it never builds.
