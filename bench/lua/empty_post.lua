-- POST with an empty JSON body (the write floor reads its ids from the query string).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{}"
