// Imported first by the bench runner: modules read these when they load. Log output is
// limited to errors so the terminal does not dominate what is measured.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
