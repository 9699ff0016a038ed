// The handler tests ran (more than none) and passed: Surefire's summary, the last "Tests run:"
// line, which an unpinned old Surefire would print as "Tests run: 0" with BUILD SUCCESS.
def log = new File(basedir, 'build.log').text
def runs = (log =~ /Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)/).collect { it }
assert !runs.isEmpty() : 'no "Tests run:" line in build.log'
def summary = runs.last()
// toInteger(), not "as int": a one-character string "as int" is its character code.
assert summary[1].toInteger() > 0 : "no tests ran: ${summary[0]}"
assert summary[2].toInteger() == 0 && summary[3].toInteger() == 0 : "tests failed: ${summary[0]}"
// HelloWorld ran (exec:java fails the build on an exception); the call's reply and the event both
// arrived.
assert log.contains('reply: Hello, Ada!')
assert log.contains('event: Hello, Ada!')
