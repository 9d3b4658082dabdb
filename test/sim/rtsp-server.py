#!/usr/bin/python3
"""A test RTSP source: GStreamer's RTSP server (python3-gi, GstRtspServer) serving a live
H.264 test pattern at rtsp://127.0.0.1:{port}/live. Prints "ready {port}" once listening.
Run with Debian's /usr/bin/python3 (python3-gi belongs to it). Usage: rtsp-server.py PORT"""
import sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib

Gst.init(None)
port = sys.argv[1] if len(sys.argv) > 1 else '8554'
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch('( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=10/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )')
factory.set_shared(True)
server.get_mount_points().add_factory('/live', factory)
if server.attach(None) == 0:
    print('cannot listen on port', port, flush=True)
    sys.exit(1)
print('ready', port, flush=True)
GLib.MainLoop().run()
