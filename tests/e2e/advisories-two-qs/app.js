const express = require("express"); const request = require("request"); express().listen(0);
