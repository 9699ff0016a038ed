package dev.zocket.bench.faults;

import dev.zocket.bench.faults.FaultClients.Member;
import dev.zocket.bench.faults.FaultClients.Sender;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The count of a fault run: what each client got (lost, reported by the nodes, duplicates, served
 * again when) set against what was sent, into the JSON line's fields. Stateless; called on the
 * driver's thread once every sender has stopped.
 */
final class Tally {
  private Tally() {}

  /**
   * The numbers of one run; see docs/faults.md for what each means.
   *
   * @param config the run's settings
   * @param members every client
   * @param senders the three senders
   * @param what what the fault did
   * @param faultAt when the fault began ({@link System#nanoTime})
   * @param healedAt when it was healed
   * @param counters each node's observers' counters, null for a killed node
   * @return the JSON line's fields, in order
   */
  static Map<String, Object> analyse(
      FaultDriver.Config config,
      List<Member> members,
      List<Sender> senders,
      String what,
      long faultAt,
      long healedAt,
      List<FaultNode.Counters> counters) {
    // What each room's clients could have received: the counted messages at least one client got.
    // Those only clients of a killed node got (before it died, or replayed after) are apart: that
    // node took them with it, and no later event of its own can reveal the gap to the others.
    List<BitSet> delivered = new ArrayList<>();
    long sent = 0;
    long neverDelivered = 0;
    long diedWithNode = 0;
    for (Sender s : senders) {
      BitSet any = new BitSet();
      BitSet stable = new BitSet();
      for (Member m : members) {
        if (m.room == s.room) {
          any.or(m.gotCounted(s.from));
          if (!m.moved) {
            stable.or(m.gotCounted(s.from));
          }
        }
      }
      BitSet onlyMoved = (BitSet) any.clone();
      onlyMoved.andNot(stable);
      diedWithNode += onlyMoved.cardinality();
      delivered.add(stable);
      BitSet sentSet = s.sentCounted();
      sent += sentSet.cardinality();
      BitSet never = (BitSet) sentSet.clone();
      never.andNot(any);
      neverDelivered += never.cardinality();
    }
    long clientMissing = 0;
    long movedMissing = 0;
    long duplicates = 0;
    long replayed = 0;
    int resumed = 0;
    int fresh = 0;
    List<Long> served = new ArrayList<>();
    for (Member m : members) {
      BitSet missing = (BitSet) delivered.get(m.room).clone();
      missing.andNot(m.gotCounted(senders.get(m.room).from));
      if (m.moved) {
        movedMissing += missing.cardinality();
      } else {
        clientMissing += missing.cardinality();
      }
      duplicates += m.duplicates();
      replayed += m.replayed();
      resumed += m.resumed();
      fresh += m.fresh();
      if (m.servedAt() > 0) {
        served.add(FaultDriver.millis(m.servedAt() - faultAt));
      }
    }
    // A node lost an event when none of its clients (that stayed on it) got it.
    List<Map<String, Object>> perNode = new ArrayList<>();
    long lost = 0;
    long reported = 0;
    boolean match = true;
    long partial = 0;
    for (int n = 0; n < FaultDriver.NODES; n++) {
      FaultNode.Counters c = counters.get(n);
      long nodeLost = 0;
      long nodeDuplicates = 0;
      for (Member m : members) {
        if (m.homeNode == n && !m.moved) {
          nodeDuplicates += m.duplicates();
        }
      }
      for (Sender s : senders) {
        BitSet union = new BitSet();
        long membersHere = 0;
        long missedHere = 0;
        for (Member m : members) {
          if (m.room == s.room && m.homeNode == n && !m.moved) {
            BitSet got = m.gotCounted(s.from);
            union.or(got);
            membersHere++;
            BitSet miss = (BitSet) delivered.get(s.room).clone();
            miss.andNot(got);
            missedHere += miss.cardinality();
          }
        }
        if (membersHere == 0) {
          continue;
        }
        BitSet nodeMissed = (BitSet) delivered.get(s.room).clone();
        nodeMissed.andNot(union);
        nodeLost += nodeMissed.cardinality();
        partial += missedHere - membersHere * nodeMissed.cardinality();
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("node", n);
      if (c == null) {
        row.put("killed", true);
      } else {
        row.put("lost", nodeLost);
        row.put("reported", c.lost());
        row.put("reportedFrom", c.lostFrom());
        row.put("duplicates", nodeDuplicates);
        row.put("outages", c.outages());
        row.put("recoveries", c.recoveries());
        row.put("dropped", c.dropped());
        lost += nodeLost;
        reported += c.lost();
        match &= nodeLost == c.lost();
      }
      perNode.add(row);
    }
    served.sort(null);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("redis", config.cluster() ? "cluster" : "single");
    r.put("fault", config.fault());
    r.put("recovery", config.recovery());
    r.put("what", what);
    r.put("clients", members.size());
    r.put("rate", config.rate() * FaultDriver.NODES);
    r.put("faultMs", FaultDriver.millis(healedAt - faultAt));
    r.put("sent", sent);
    r.put("sendsRefused", senders.stream().mapToLong(Sender::refused).sum());
    r.put("neverDelivered", neverDelivered);
    r.put("diedWithNode", diedWithNode);
    r.put("lost", lost);
    r.put("reported", reported);
    r.put("lostMatchesReported", match);
    r.put("clientMissing", clientMissing);
    r.put("partialMissing", partial);
    r.put("movedClients", members.stream().filter(m -> m.moved).count());
    r.put("movedMissing", movedMissing);
    r.put("duplicates", duplicates);
    r.put("resumed", resumed);
    r.put("fresh", fresh);
    r.put("replayed", replayed);
    r.put("servedAgainMedianMs", served.isEmpty() ? null : served.get(served.size() / 2));
    r.put(
        "servedAgainMaxMs", served.size() < members.size() ? null : served.get(served.size() - 1));
    r.put("nodes", perNode);
    Map<String, Long> servedBy = new LinkedHashMap<>();
    for (Member m : members) {
      servedBy.put(
          "c" + m.index + "@node" + m.homeNode + "/r" + m.room,
          m.servedAt() > 0 ? FaultDriver.millis(m.servedAt() - faultAt) : null);
    }
    r.put("servedMsByClient", servedBy);
    return r;
  }
}
