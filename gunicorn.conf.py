"""gunicorn reads this file from the working directory (`make run`, and any gunicorn started in the repository).

The access log is on (to stdout) and never holds a credential: config/access_log.py
redacts codes and tokens in query strings and the Referer.
"""

accesslog = "-"
logger_class = "config.access_log.RedactingLogger"
