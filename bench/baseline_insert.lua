-- wrk script for the baseline: POST /insert, one row per request.
wrk.method = "POST"
wrk.body = "benchmark row"
wrk.headers["Content-Type"] = "text/plain"
