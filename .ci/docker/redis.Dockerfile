# Metadata on top of a root file system made by .ci/docker-images from
# Debian's redis-server (the entrypoint is already in it: no file layer).
ARG ROOT
FROM ${ROOT}
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
USER redis
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
