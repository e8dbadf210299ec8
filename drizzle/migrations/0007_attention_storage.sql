-- Room on each page for in-place (HOT) updates: a viewer's participation row is updated many
-- times an epoch, and a HOT update writes no index entries.
ALTER TABLE "attention"."channel_participation" SET (fillfactor = 70);
