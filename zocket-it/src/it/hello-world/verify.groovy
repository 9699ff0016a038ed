// HelloWorld ran (exec-maven-plugin fails the build on a non-zero exit); the call's reply and
// the event both arrived.
def log = new File(basedir, 'build.log').text
assert log.contains('reply: Hello, Ada!')
assert log.contains('event: Hello, Ada!')
