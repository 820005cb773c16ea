require("request")
