-- Flush dirty buffers before a timed load step (run as the cluster superuser).
checkpoint
