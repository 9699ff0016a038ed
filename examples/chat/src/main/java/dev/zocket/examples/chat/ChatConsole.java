package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.zocket.ZocketException;
import dev.zocket.client.ZocketClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The console chat client: prints the events of the rooms it is in as they arrive and sends each
 * line typed as a message to the current room.
 *
 * <pre>
 * java -jar zocket-chat.jar client --url ws://localhost:3000 --name Alice --room general
 * </pre>
 *
 * <p>Commands: {@code /join ROOM} (joins and makes it the current room), {@code /leave [ROOM]},
 * {@code /room ROOM} (switches the current room), {@code /members [ROOM]}, {@code /help}, {@code
 * /quit}. After a dropped connection the client reconnects and joins its rooms again.
 */
final class ChatConsole {
  static final String HELP =
      String.join(
          "\n",
          "Type a line to send it to the current room. Commands:",
          "  /join ROOM      join a room and make it the current one",
          "  /leave [ROOM]   leave a room (default: the current one)",
          "  /room ROOM      switch the current room to one you are in",
          "  /members [ROOM] list the members of a room (default: the current one)",
          "  /help           show this help",
          "  /quit           leave the chat");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final PrintStream out;
  private final Set<String> joined = new LinkedHashSet<>(); // guarded by itself
  private String current; // only the reading thread touches it
  private Rooms rooms;

  private ChatConsole(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the console client until {@code /quit} or the end of the input.
   *
   * @param args {@code [--url U] [--name N] [--room R]}, or {@code --help}
   * @return the process exit status: 0, 1 when it cannot connect, 2 for a usage error
   */
  static int run(String[] args, InputStream in, PrintStream out) {
    URI url = URI.create("ws://localhost:" + Main.DEFAULT_PORT);
    String name = null;
    String room = "general";
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println(usage());
        return 0;
      }
      if (i + 1 >= args.length) {
        out.println("Missing value for " + args[i] + "\n" + usage());
        return 2;
      }
      switch (args[i]) {
        case "--url" -> {
          url = parseUrl(args[i + 1]);
          if (url == null) {
            out.println(
                "Not a WebSocket URL for --url: "
                    + args[i + 1]
                    + " (expected ws://host:port/ or wss://host:port/)\n"
                    + usage());
            return 2;
          }
        }
        case "--name" -> name = args[i + 1];
        case "--room" -> room = args[i + 1];
        default -> {
          out.println("Unknown option " + args[i] + "\n" + usage());
          return 2;
        }
      }
    }
    return new ChatConsole(out).chat(url, name, room, in);
  }

  /** The URL if it is a ws:// or wss:// URL with a host, else null. */
  private static URI parseUrl(String value) {
    try {
      URI url = new URI(value);
      String scheme = url.getScheme();
      boolean ws = "ws".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
      return ws && url.getHost() != null ? url : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String usage() {
    return "Usage: java -jar zocket-chat.jar client [--url ws://localhost:3000] [--name NAME]"
        + " [--room ROOM]";
  }

  private int chat(URI url, String name, String room, InputStream in) {
    synchronized (joined) {
      joined.add(room);
    }
    current = room;
    ZocketClient.Builder builder =
        ZocketClient.builder(url)
            .on(RoomEvents.class, new Printer())
            // Runs after every (re)connect: join every room again.
            .onOpen(
                client -> {
                  Rooms r = client.proxy(Rooms.class);
                  for (String each : joinedRooms()) {
                    r.join(new RoomId(each));
                  }
                })
            .onClose(
                (code, reason) -> {
                  if (code != 1000) {
                    out.println("* Connection lost (" + code + " " + reason + "); reconnecting");
                  }
                })
            .onError(e -> out.println("! " + e.getMessage()));
    if (name != null) {
      builder.header("user-name", name);
    }
    ZocketClient client;
    try {
      client = builder.connect();
    } catch (ZocketException e) {
      Throwable root = e; // the message of the cause, without the client's own "Could not connect"
      while (root.getCause() != null) {
        root = root.getCause();
      }
      out.println("Could not connect to " + url + ": " + root.getMessage());
      return 1;
    }
    try (client) {
      rooms = client.proxy(Rooms.class);
      out.println("Connected to " + url + " as " + (name == null ? "Anonymous" : name));
      out.println(HELP);
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        try {
          if (!handle(line.strip())) {
            break;
          }
        } catch (ZocketException e) {
          out.println("! " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return 0;
  }

  /** Handles one line; returns false to quit. */
  private boolean handle(String line) {
    if (line.isEmpty()) {
      return true;
    }
    if (!line.startsWith("/")) {
      if (current == null) {
        out.println("! You are in no room. Join one with /join ROOM");
      } else {
        rooms.message(new PostMessage(current, line));
      }
      return true;
    }
    String[] words = line.split("\\s+", 2);
    String argument = words.length > 1 ? words[1].strip() : null;
    switch (words[0]) {
      case "/quit", "/exit" -> {
        return false;
      }
      case "/join" -> {
        if (argument == null) {
          out.println("! Usage: /join ROOM");
        } else {
          synchronized (joined) {
            joined.add(argument);
          }
          current = argument;
          rooms.join(new RoomId(argument));
        }
      }
      case "/leave" -> {
        String room = argument != null ? argument : current;
        if (room == null) {
          out.println("! Usage: /leave ROOM");
        } else {
          rooms.leave(new RoomId(room));
          synchronized (joined) {
            joined.remove(room);
            if (room.equals(current)) {
              current = joined.isEmpty() ? null : joined.iterator().next();
            }
          }
          out.println(current == null ? "You are in no room" : "Current room: " + current);
        }
      }
      case "/room" -> {
        if (argument == null || !joinedRooms().contains(argument)) {
          out.println("! Usage: /room ROOM, for a room you joined: " + joinedRooms());
        } else {
          current = argument;
          out.println("Current room: " + current);
        }
      }
      case "/members" -> {
        String room = argument != null ? argument : current;
        if (room == null) {
          out.println("! Usage: /members ROOM");
        } else {
          members(room);
        }
      }
      case "/help" -> out.println(HELP);
      default -> out.println("! Unknown command " + words[0] + "\n" + HELP);
    }
    return true;
  }

  private void members(String room) {
    try {
      List<String> names = rooms.members(new RoomId(room)).get(10, TimeUnit.SECONDS);
      out.println("Members of " + room + ": " + String.join(", ", names));
    } catch (ExecutionException | CompletionException e) {
      out.println("! " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      out.println("! No answer from the server");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Set<String> joinedRooms() {
    synchronized (joined) {
      return Set.copyOf(joined);
    }
  }

  /** Prints room events; called on the client's event thread. */
  private final class Printer implements RoomEvents {
    @Override
    public void onJoin(Joined event) {
      out.println("[" + safe(event.roomId()) + "] " + safe(event.userName()) + " joined");
    }

    @Override
    public void onLeave(Left event) {
      out.println("[" + safe(event.roomId()) + "] " + safe(event.userName()) + " left");
    }

    @Override
    public void onMessage(ChatMessage message) {
      out.println(
          "["
              + safe(message.roomId())
              + "] "
              + TIME.format(message.timestamp())
              + " "
              + safe(message.userName())
              + ": "
              + safe(message.content()));
    }
  }

  /**
   * Replaces control characters (escape sequences could rewrite the terminal) with U+FFFD, the
   * console's equivalent of escaping HTML.
   */
  static String safe(String text) {
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        if (sb == null) {
          sb = new StringBuilder(text);
        }
        sb.setCharAt(i, '\uFFFD');
      }
    }
    return sb == null ? text : sb.toString();
  }
}
