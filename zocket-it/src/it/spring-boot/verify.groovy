// The application's tests ran and passed: each test class's line, then Surefire's summary (the
// last "Tests run:" line).
def log = new File(basedir, 'build.log').text
['HelloZocketApplicationTest', 'ShutdownTest'].each { test ->
  assert log =~ /Tests run: [1-9]\d*, Failures: 0, Errors: 0, Skipped: 0, .* in com\.example\.hello\.${test}/ :
      "${test} did not run, or failed"
}
def runs = (log =~ /Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)/).collect { it }
assert !runs.isEmpty() : 'no "Tests run:" line in build.log'
def summary = runs.last()
// toInteger(), not "as int": a one-character string "as int" is its character code.
assert summary[1].toInteger() > 0 : "no tests ran: ${summary[0]}"
assert summary[2].toInteger() == 0 && summary[3].toInteger() == 0 : "tests failed: ${summary[0]}"
assert summary[4].toInteger() == 0 : "tests skipped: ${summary[0]}"
