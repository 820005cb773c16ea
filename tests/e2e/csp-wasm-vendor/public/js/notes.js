initSqlJs({ locateFile: function (file) { return '/vendor/' + file; } }).then(function (SQL) {
  var db = new SQL.Database();
  db.run("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('yes');");
  document.getElementById('sql').textContent = db.exec('SELECT t FROM notes')[0].values[0][0];
}, function () {});
