// The functions every proxy auto-config script may call (Netscape's PAC definition, with
// Microsoft's IPv6 "Ex" additions), written for Brickdesk's embedded evaluator. Those that
// need the network are provided by Rust and bound before this file runs: __dnsResolve and
// __dnsResolveEx (wrapped below), myIpAddress and myIpAddressEx.

function dnsResolve(host) {
  var address = __dnsResolve(String(host));
  return address === undefined || address === null ? null : address;
}

function dnsResolveEx(host) {
  var addresses = __dnsResolveEx(String(host));
  return addresses === undefined || addresses === null ? "" : addresses;
}

function isPlainHostName(host) {
  return String(host).indexOf(".") < 0;
}

function dnsDomainIs(host, domain) {
  host = String(host).toLowerCase();
  domain = String(domain).toLowerCase();
  return host.length >= domain.length &&
    host.substring(host.length - domain.length) === domain;
}

function localHostOrDomainIs(host, hostdom) {
  host = String(host).toLowerCase();
  hostdom = String(hostdom).toLowerCase();
  if (host === hostdom) return true;
  return host.indexOf(".") < 0 && hostdom.indexOf(host + ".") === 0;
}

function isResolvable(host) {
  return dnsResolve(host) !== null;
}

function isResolvableEx(host) {
  return dnsResolveEx(host) !== "";
}

function dnsDomainLevels(host) {
  return String(host).split(".").length - 1;
}

function __ipv4ToNumber(text) {
  var parts = String(text).split(".");
  if (parts.length !== 4) return null;
  var value = 0;
  for (var i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null;
    var part = Number(parts[i]);
    if (part > 255) return null;
    value = value * 256 + part;
  }
  return value;
}

function convert_addr(ipchars) {
  var value = __ipv4ToNumber(ipchars);
  return value === null ? 0 : value;
}

function isInNet(host, pattern, mask) {
  var address = __ipv4ToNumber(host) === null ? dnsResolve(host) : host;
  if (address === null) return false;
  var a = __ipv4ToNumber(address), p = __ipv4ToNumber(pattern), m = __ipv4ToNumber(mask);
  if (a === null || p === null || m === null) return false;
  // Bitwise operators work on signed 32-bit values; >>> 0 brings them back to unsigned.
  return ((a & m) >>> 0) === ((p & m) >>> 0);
}

function isInNetEx(host, prefix) {
  var slash = String(prefix).indexOf("/");
  if (slash < 0) return false;
  var bits = Number(String(prefix).substring(slash + 1));
  var network = String(prefix).substring(0, slash);
  var address = __ipv4ToNumber(host) === null ? dnsResolve(host) : host;
  if (address === null || !(bits >= 0 && bits <= 32)) return false;
  var a = __ipv4ToNumber(address), p = __ipv4ToNumber(network);
  if (a === null || p === null) return false;
  var m = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((a & m) >>> 0) === ((p & m) >>> 0);
}

// As Mozilla's and Chrome's: `*` and `?` are wildcards, `[…]` stays a character class, other
// regular-expression characters are literal; a pattern that is no valid expression matches
// nothing.
function shExpMatch(str, shexp) {
  var pattern = "";
  var glob = String(shexp);
  for (var i = 0; i < glob.length; i++) {
    var c = glob.charAt(i);
    if (c === "*") pattern += ".*";
    else if (c === "?") pattern += ".";
    else if ("\\^$.|+(){}".indexOf(c) >= 0) pattern += "\\" + c;
    else pattern += c;
  }
  try {
    return new RegExp("^" + pattern + "$").test(String(str));
  } catch (e) {
    return false;
  }
}

var __DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
var __MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

// The trailing "GMT" argument of the time functions: strip it, and say whether it was there.
function __timeArgs(args) {
  var list = Array.prototype.slice.call(args);
  var gmt = list.length > 0 && list[list.length - 1] === "GMT";
  if (gmt) list.pop();
  return { list: list, now: new Date(), gmt: gmt };
}

function weekdayRange() {
  var a = __timeArgs(arguments);
  var today = a.gmt ? a.now.getUTCDay() : a.now.getDay();
  var first = __DAYS.indexOf(String(a.list[0]).toUpperCase());
  if (first < 0) return false;
  if (a.list.length < 2) return today === first;
  var last = __DAYS.indexOf(String(a.list[1]).toUpperCase());
  if (last < 0) return false;
  return first <= last ? today >= first && today <= last : today >= first || today <= last;
}

function dateRange() {
  var a = __timeArgs(arguments);
  var n = a.now;
  var day = a.gmt ? n.getUTCDate() : n.getDate();
  var month = a.gmt ? n.getUTCMonth() : n.getMonth();
  var year = a.gmt ? n.getUTCFullYear() : n.getFullYear();
  // Each argument is a day (1-31), a month name or a year (4 digits); compare as a tuple of
  // whichever parts were given, in the order year, month, day.
  function parse(value) {
    if (typeof value === "string" && __MONTHS.indexOf(value.toUpperCase()) >= 0)
      return { month: __MONTHS.indexOf(value.toUpperCase()) };
    var number = Number(value);
    if (number > 31) return { year: number };
    return { day: number };
  }
  function key(part, y, m, d) {
    return (part.year !== undefined ? part.year : y) * 10000 +
      (part.month !== undefined ? part.month : m) * 100 +
      (part.day !== undefined ? part.day : d);
  }
  var parts = a.list.map(parse);
  if (parts.length === 0) return false;
  if (parts.length === 1) {
    var p = parts[0];
    return (p.year === undefined || p.year === year) &&
      (p.month === undefined || p.month === month) &&
      (p.day === undefined || p.day === day);
  }
  var half = parts.length >> 1;
  var from = {}, to = {};
  for (var i = 0; i < half; i++) {
    Object.assign(from, parts[i]);
    Object.assign(to, parts[i + half]);
  }
  var usesYear = from.year !== undefined, usesMonth = from.month !== undefined, usesDay = from.day !== undefined;
  var now = key({}, usesYear ? year : 0, usesMonth ? month : 0, usesDay ? day : 0);
  var lo = key(from, 0, 0, 0), hi = key(to, 0, 0, 0);
  return lo <= hi ? now >= lo && now <= hi : now >= lo || now <= hi;
}

function timeRange() {
  var a = __timeArgs(arguments);
  var n = a.now;
  var seconds = (a.gmt ? n.getUTCHours() : n.getHours()) * 3600 +
    (a.gmt ? n.getUTCMinutes() : n.getMinutes()) * 60 +
    (a.gmt ? n.getUTCSeconds() : n.getSeconds());
  var v = a.list.map(Number);
  var from, to;
  if (v.length === 1) { from = v[0] * 3600; to = from + 3599; }
  else if (v.length === 2) { from = v[0] * 3600; to = v[1] * 3600 + 3599; }
  else if (v.length === 4) { from = v[0] * 3600 + v[1] * 60; to = v[2] * 3600 + v[3] * 60 + 59; }
  else if (v.length === 6) { from = v[0] * 3600 + v[1] * 60 + v[2]; to = v[3] * 3600 + v[4] * 60 + v[5]; }
  else return false;
  return from <= to ? seconds >= from && seconds <= to : seconds >= from || seconds <= to;
}
