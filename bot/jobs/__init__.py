"""Work off the listener: the check seam, the saq queue and worker, in-process runs, answers, metrics."""
